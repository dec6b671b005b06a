#include "gitfleet/git/mailmap.hpp"

#include "repository.hpp"

namespace gitfleet::git {
namespace {

// git's sane_ctype isspace: no \v or \f.
bool is_git_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// strcasecmp's order in the C locale: ASCII letters fold, other bytes compare as they are.
std::string folded(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct NameAndEmail {
  std::optional<std::string> name, email;
  std::optional<std::string_view> rest;  // what follows '>', if anything
};

// git's parse_name_and_email: "Name <email>" with the name trimmed (absent when empty).
NameAndEmail parse_name_and_email(std::string_view text, bool allow_empty_email) {
  NameAndEmail out;
  std::size_t left = text.find('<');
  if (left == std::string_view::npos) return out;
  std::size_t right = text.find('>', left + 1);
  if (right == std::string_view::npos || (!allow_empty_email && right == left + 1)) return out;
  std::size_t start = 0, end = left;
  while (start < end && is_git_space(text[start])) ++start;
  while (end > start && is_git_space(text[end - 1])) --end;
  if (end > start) out.name = std::string(text.substr(start, end - start));
  out.email = std::string(text.substr(left + 1, right - left - 1));
  if (right + 1 < text.size()) out.rest = text.substr(right + 1);
  return out;
}

}  // namespace

Mailmap::Mailmap(std::string_view text) {
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    NameAndEmail first = parse_name_and_email(line, false);
    if (!first.email) continue;
    NameAndEmail second;
    if (first.rest) second = parse_name_and_email(*first.rest, true);
    add(std::move(first.name), std::move(first.email), std::move(second.name), std::move(second.email));
  }
}

// git's add_mapping: "New <new>" alone maps its own e-mail; with "<old>" or "Old <old>" after
// it, the old identity is mapped. Later lines replace what earlier ones set.
void Mailmap::add(std::optional<std::string> new_name, std::optional<std::string> new_email,
                  std::optional<std::string> old_name, std::optional<std::string> old_email) {
  if (!old_email) {
    old_email = std::move(new_email);
    new_email.reset();
  }
  Entry& entry = entries_[folded(*old_email)];
  if (!old_name) {
    if (new_name) entry.any_name.name = std::move(new_name);
    if (new_email) entry.any_name.email = std::move(new_email);
  } else {
    entry.by_name[folded(*old_name)] = Replacement{std::move(new_name), std::move(new_email)};
  }
}

std::pair<std::string, std::string> Mailmap::map(std::string_view name, std::string_view email) const {
  std::pair<std::string, std::string> out{std::string(name), std::string(email)};
  auto entry = entries_.find(folded(email));
  if (entry == entries_.end()) return out;
  const Replacement* r = &entry->second.any_name;
  auto named = entry->second.by_name.find(folded(name));
  if (named != entry->second.by_name.end()) r = &named->second;
  if (r->name) out.first = *r->name;
  if (r->email) out.second = *r->email;
  return out;
}

Mailmap read_mailmap(const std::string& repo_path) { return Mailmap(Repository::open(repo_path).mailmap_text()); }

}  // namespace gitfleet::git
