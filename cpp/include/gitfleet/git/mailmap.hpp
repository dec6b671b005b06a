#pragma once
// git's .mailmap: who a commit's author or committer is, as git shows them (`%aN <%aE>`,
// `git shortlog`, `git blame`). Names and e-mails are compared as git compares them
// (strcasecmp: ASCII letters fold, nothing else), entries with an old name win over the
// e-mail-only entry of the same e-mail, and later lines override earlier ones.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gitfleet::git {

class Mailmap {
 public:
  Mailmap() = default;
  explicit Mailmap(std::string_view text);  // the file's bytes; malformed lines are skipped, as git skips them

  bool empty() const noexcept { return entries_.empty(); }

  // (name, email) after the mailmap: unchanged where no entry matches.
  std::pair<std::string, std::string> map(std::string_view name, std::string_view email) const;

 private:
  struct Replacement {
    std::optional<std::string> name, email;
  };
  struct Entry {
    Replacement any_name;                        // "<old@email>" entries
    std::map<std::string, Replacement> by_name;  // "Old Name <old@email>" entries, by folded name
  };
  void add(std::optional<std::string> new_name, std::optional<std::string> new_email,
           std::optional<std::string> old_name, std::optional<std::string> old_email);
  std::map<std::string, Entry> entries_;  // by folded e-mail
};

// The repository's mailmap as git reads it by default: the work tree's .mailmap, or in a bare
// repository the one committed at HEAD. None (or an unreadable one) is an empty mailmap.
Mailmap read_mailmap(const std::string& repo_path);

}  // namespace gitfleet::git
