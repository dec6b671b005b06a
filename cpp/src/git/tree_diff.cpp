#include "gitfleet/git/tree_diff.hpp"

#include <cstring>

namespace gitfleet::git {
namespace {

constexpr std::uint32_t kTreeMode = 0040000;

bool is_tree(const git_tree_entry* e) { return git_tree_entry_filemode(e) == GIT_FILEMODE_TREE; }

// git's tree order: a subtree sorts as if its name ended in '/'.
int compare_entries(const git_tree_entry* a, const git_tree_entry* b) {
  const char* na = git_tree_entry_name(a);
  const char* nb = git_tree_entry_name(b);
  std::size_t la = std::strlen(na), lb = std::strlen(nb);
  std::size_t n = la < lb ? la : lb;
  int c = std::memcmp(na, nb, n);
  if (c != 0) return c;
  unsigned char ca = la > n ? static_cast<unsigned char>(na[n]) : (is_tree(a) ? '/' : '\0');
  unsigned char cb = lb > n ? static_cast<unsigned char>(nb[n]) : (is_tree(b) ? '/' : '\0');
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

// Walks two trees in lockstep. The visitor returns false to stop the walk early.
class TreeWalker {
 public:
  TreeWalker(const Repository& repo, const Pathspec& pathspec, std::vector<TreeChange>* out)
      : repo_(repo), pathspec_(pathspec), out_(out) {}

  // Returns false when stopped early (only in "any difference" mode, out_ == nullptr).
  bool walk(const std::string& prefix, const git_tree* a, const git_tree* b) {
    std::size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
    std::size_t i = 0, j = 0;
    while (i < na || j < nb) {
      const git_tree_entry* ea = i < na ? git_tree_entry_byindex(a, i) : nullptr;
      const git_tree_entry* eb = j < nb ? git_tree_entry_byindex(b, j) : nullptr;
      int c = !ea ? 1 : !eb ? -1 : compare_entries(ea, eb);
      bool keep_going;
      if (c < 0) {
        keep_going = side(prefix, ea, 'D');
        ++i;
      } else if (c > 0) {
        keep_going = side(prefix, eb, 'A');
        ++j;
      } else {
        keep_going = both(prefix, ea, eb);
        ++i;
        ++j;
      }
      if (!keep_going) return false;
    }
    return true;
  }

 private:
  static std::string join(const std::string& prefix, const git_tree_entry* e) {
    return prefix.empty() ? std::string(git_tree_entry_name(e)) : prefix + "/" + git_tree_entry_name(e);
  }

  bool side(const std::string& prefix, const git_tree_entry* e, char status) {
    std::string path = join(prefix, e);
    if (is_tree(e)) {
      if (!pathspec_.may_match_under(path)) return true;
      TreePtr t = repo_.tree(*git_tree_entry_id(e));
      return status == 'D' ? walk(path, t.get(), nullptr) : walk(path, nullptr, t.get());
    }
    if (!pathspec_.matches(path)) return true;
    if (!out_) return false;
    TreeChange change{status, {}, {}, {}, {}, 0, 0};
    if (status == 'D') {
      change.old_path = std::move(path);
      change.old_id = *git_tree_entry_id(e);
      change.old_mode = git_tree_entry_filemode(e);
    } else {
      change.new_path = std::move(path);
      change.new_id = *git_tree_entry_id(e);
      change.new_mode = git_tree_entry_filemode(e);
    }
    out_->push_back(std::move(change));
    return true;
  }

  bool both(const std::string& prefix, const git_tree_entry* a, const git_tree_entry* b) {
    const git_oid* ia = git_tree_entry_id(a);
    const git_oid* ib = git_tree_entry_id(b);
    std::uint32_t ma = git_tree_entry_filemode(a), mb = git_tree_entry_filemode(b);
    if (ma == mb && git_oid_equal(ia, ib)) return true;
    std::string path = join(prefix, a);
    if (ma == kTreeMode) {
      if (!pathspec_.may_match_under(path)) return true;
      TreePtr ta = repo_.tree(*ia);
      TreePtr tb = repo_.tree(*ib);
      return walk(path, ta.get(), tb.get());
    }
    if (!pathspec_.matches(path)) return true;
    if (!out_) return false;
    out_->push_back(TreeChange{'M', path, path, *ia, *ib, ma, mb});
    return true;
  }

  const Repository& repo_;
  const Pathspec& pathspec_;
  std::vector<TreeChange>* out_;
};

}  // namespace

std::vector<TreeChange> diff_trees(const Repository& repo, const git_tree* old_tree, const git_tree* new_tree,
                                   const Pathspec& pathspec) {
  std::vector<TreeChange> changes;
  TreeWalker(repo, pathspec, &changes).walk("", old_tree, new_tree);
  return changes;
}

bool trees_differ(const Repository& repo, const git_tree* old_tree, const git_tree* new_tree,
                  const Pathspec& pathspec) {
  if (old_tree && new_tree && git_oid_equal(git_tree_id(old_tree), git_tree_id(new_tree))) return false;
  return !TreeWalker(repo, pathspec, nullptr).walk("", old_tree, new_tree);
}

}  // namespace gitfleet::git
