#include "tree_diff.hpp"

#include <algorithm>
#include <cstring>

namespace gitfleet::git {
namespace {

using odb::TreeEntry;

// git's tree order: a subtree sorts as if its name ended in '/'.
int compare_entries(const TreeEntry& a, const TreeEntry& b) {
  std::size_t n = std::min(a.name.size(), b.name.size());
  int c = std::memcmp(a.name.data(), b.name.data(), n);
  if (c != 0) return c;
  unsigned char ca = a.name.size() > n ? static_cast<unsigned char>(a.name[n]) : (a.is_tree() ? '/' : '\0');
  unsigned char cb = b.name.size() > n ? static_cast<unsigned char>(b.name[n]) : (b.is_tree() ? '/' : '\0');
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

// Walks two trees in lockstep. The visitor returns false to stop the walk early.
class TreeWalker {
 public:
  TreeWalker(const Repository& repo, const Pathspec& pathspec, std::vector<TreeChange>* out)
      : repo_(repo), pathspec_(pathspec), out_(out) {}

  // Returns false when stopped early (only in "any difference" mode, out_ == nullptr).
  bool walk(const std::string& prefix, const odb::Tree* a, const odb::Tree* b) {
    static const std::vector<TreeEntry> kNone;
    const std::vector<TreeEntry>& ea = a ? a->entries() : kNone;
    const std::vector<TreeEntry>& eb = b ? b->entries() : kNone;
    std::size_t i = 0, j = 0;
    while (i < ea.size() || j < eb.size()) {
      int c = i == ea.size() ? 1 : j == eb.size() ? -1 : compare_entries(ea[i], eb[j]);
      bool keep_going;
      if (c < 0) {
        keep_going = side(prefix, ea[i], 'D');
        ++i;
      } else if (c > 0) {
        keep_going = side(prefix, eb[j], 'A');
        ++j;
      } else {
        keep_going = both(prefix, ea[i], eb[j]);
        ++i;
        ++j;
      }
      if (!keep_going) return false;
    }
    return true;
  }

 private:
  static std::string join(const std::string& prefix, const TreeEntry& e) {
    std::string path;
    path.reserve(prefix.size() + 1 + e.name.size());
    if (!prefix.empty()) path.append(prefix).push_back('/');
    path.append(e.name);
    return path;
  }

  bool side(const std::string& prefix, const TreeEntry& e, char status) {
    std::string path = join(prefix, e);
    if (e.is_tree()) {
      if (!pathspec_.may_match_under(path)) return true;
      odb::Tree t = repo_.tree(e.id);
      return status == 'D' ? walk(path, &t, nullptr) : walk(path, nullptr, &t);
    }
    if (!pathspec_.matches(path)) return true;
    if (!out_) return false;
    TreeChange change{status, {}, {}, {}, {}, 0, 0};
    if (status == 'D') {
      change.old_path = std::move(path);
      change.old_id = e.id;
      change.old_mode = e.mode;
    } else {
      change.new_path = std::move(path);
      change.new_id = e.id;
      change.new_mode = e.mode;
    }
    out_->push_back(std::move(change));
    return true;
  }

  bool both(const std::string& prefix, const TreeEntry& a, const TreeEntry& b) {
    if (a.mode == b.mode && a.id == b.id) return true;
    std::string path = join(prefix, a);
    if (a.is_tree()) {
      if (!pathspec_.may_match_under(path)) return true;
      odb::Tree ta = repo_.tree(a.id);
      odb::Tree tb = repo_.tree(b.id);
      return walk(path, &ta, &tb);
    }
    if (!pathspec_.matches(path)) return true;
    if (!out_) return false;
    out_->push_back(TreeChange{'M', path, path, a.id, b.id, a.mode, b.mode});
    return true;
  }

  const Repository& repo_;
  const Pathspec& pathspec_;
  std::vector<TreeChange>* out_;
};

}  // namespace

std::vector<TreeChange> diff_trees(const Repository& repo, const odb::Tree* old_tree, const odb::Tree* new_tree,
                                   const Pathspec& pathspec) {
  std::vector<TreeChange> changes;
  TreeWalker(repo, pathspec, &changes).walk("", old_tree, new_tree);
  return changes;
}

bool trees_differ(const Repository& repo, const odb::Tree* old_tree, const odb::Tree* new_tree,
                  const Pathspec& pathspec) {
  if (old_tree && new_tree && old_tree->id() == new_tree->id()) return false;
  return !TreeWalker(repo, pathspec, nullptr).walk("", old_tree, new_tree);
}

std::optional<PathEntry> find_path(const Repository& repo, const ObjectId& root, std::string_view path) {
  ObjectId tree = root;
  for (;;) {
    std::size_t slash = path.find('/');
    auto entry = odb::find_entry(tree, repo.object(tree), path.substr(0, slash));
    if (!entry) return std::nullopt;
    if (slash == std::string_view::npos) return PathEntry{entry->id, entry->mode};
    if (!entry->is_tree()) return std::nullopt;
    tree = entry->id;
    path.remove_prefix(slash + 1);
  }
}

PathComparison compare_path(const Repository& repo, const ObjectId& old_root, const ObjectId& new_root,
                            std::string_view path) {
  ObjectId old_tree = old_root, new_tree = new_root;
  for (;;) {
    if (old_tree == new_tree) return {true, std::nullopt};
    std::size_t slash = path.find('/');
    std::string_view name = path.substr(0, slash);
    auto old_entry = odb::find_entry(old_tree, repo.object(old_tree), name);
    auto new_entry = odb::find_entry(new_tree, repo.object(new_tree), name);
    if (slash == std::string_view::npos) {
      if (!old_entry) return {false, std::nullopt};
      PathEntry found{old_entry->id, old_entry->mode};
      bool same = new_entry && new_entry->id == old_entry->id && new_entry->mode == old_entry->mode;
      return {same, found};
    }
    if (!old_entry || !old_entry->is_tree()) return {false, std::nullopt};
    if (!new_entry || !new_entry->is_tree()) return {false, find_path(repo, old_entry->id, path.substr(slash + 1))};
    old_tree = old_entry->id;
    new_tree = new_entry->id;
    path.remove_prefix(slash + 1);
  }
}

std::vector<std::string> files_in_tree(const Repository& repo, const ObjectId& commit, const Pathspec& pathspec) {
  odb::Tree tree = repo.tree(repo.header(commit).tree);
  std::vector<std::string> paths;
  for (TreeChange& change : diff_trees(repo, nullptr, &tree, pathspec))
    if (!is_gitlink_mode(change.new_mode)) paths.push_back(std::move(change.new_path));
  return paths;
}

}  // namespace gitfleet::git
