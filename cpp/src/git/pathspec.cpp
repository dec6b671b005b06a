#include "pathspec.hpp"

#include <fnmatch.h>

#include "gitfleet/core/error.hpp"

namespace gitfleet::git {
namespace {

bool has_leading_dir(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

}  // namespace

Pathspec::Pathspec(const std::vector<std::string>& items, bool literal) {
  for (std::string text : items) {
    if (text.empty()) throw Error(ErrorCode::InvalidArgument, "paths contains an empty path");
    while (text.starts_with("./")) text.erase(0, 2);
    while (text.size() > 1 && text.ends_with('/')) text.pop_back();
    if (text.starts_with('/') || text.starts_with(':'))
      throw Error(ErrorCode::InvalidArgument,
                  "paths must be relative to the repository root (no leading '/' or pathspec magic): '" + text + "'");
    if (text == "." || text.empty()) {
      items_.clear();  // "." names the whole tree: no limit at all
      return;
    }
    std::size_t wildcard = literal ? std::string::npos : text.find_first_of("*?[\\");
    items_.push_back({text, wildcard == std::string::npos ? text.size() : wildcard});
  }
}

bool Pathspec::matches(std::string_view path) const {
  if (items_.empty()) return true;
  std::string owned;
  for (const Item& item : items_) {
    if (path == item.text || has_leading_dir(path, item.text)) return true;
    if (item.literal_prefix < item.text.size()) {
      if (path.substr(0, item.literal_prefix) != std::string_view(item.text).substr(0, item.literal_prefix))
        continue;
      owned.assign(path);
      if (fnmatch(item.text.c_str(), owned.c_str(), 0) == 0) return true;
    }
  }
  return false;
}

bool Pathspec::may_match_under(std::string_view dir) const {
  if (items_.empty()) return true;
  for (const Item& item : items_) {
    std::string_view literal = std::string_view(item.text).substr(0, item.literal_prefix);
    bool wildcard = item.literal_prefix < item.text.size();
    if (!wildcard) {
      if (literal == dir || has_leading_dir(literal, dir) || has_leading_dir(dir, literal)) return true;
      continue;
    }
    // A pattern may match anything whose path agrees with its literal prefix.
    std::size_t n = std::min(literal.size(), dir.size());
    if (literal.substr(0, n) == dir.substr(0, n)) return true;
  }
  return false;
}

}  // namespace gitfleet::git
