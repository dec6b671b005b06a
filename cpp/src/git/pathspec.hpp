#pragma once
// git's default pathspec matching, as `git log -- <paths>` applies it: an item names a file
// or a leading directory, and items with wildcards (* ? [) are matched as fnmatch patterns
// where '*' also crosses '/'. No items means everything.
#include <string>
#include <string_view>
#include <vector>

namespace gitfleet::git {

class Pathspec {
 public:
  Pathspec() = default;
  // literal: no item is a pattern (git's PATHSPEC_LITERAL), e.g. a file named "a*b".
  explicit Pathspec(const std::vector<std::string>& items, bool literal = false);

  bool empty() const noexcept { return items_.empty(); }
  bool matches(std::string_view path) const;
  // Whether something below directory `dir` (no trailing slash) could match.
  bool may_match_under(std::string_view dir) const;

 private:
  struct Item {
    std::string text;
    std::size_t literal_prefix;  // length before the first wildcard; == size() if none
  };
  std::vector<Item> items_;
};

}  // namespace gitfleet::git
