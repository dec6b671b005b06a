#pragma once
// Tree-to-tree comparison in git's tree order, as diff-tree does it: unchanged subtrees are
// skipped by id, only paths the pathspec allows are reported.
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "pathspec.hpp"
#include "repository.hpp"

namespace gitfleet::git {

struct TreeChange {
  char status;  // 'A' added, 'D' deleted, 'M' content or mode changed
  std::string old_path;
  std::string new_path;
  ObjectId old_id{};
  ObjectId new_id{};
  std::uint32_t old_mode = 0;
  std::uint32_t new_mode = 0;
};

// old_tree may be null (a root commit is compared with the empty tree).
std::vector<TreeChange> diff_trees(const Repository& repo, const odb::Tree* old_tree, const odb::Tree* new_tree,
                                   const Pathspec& pathspec);

// True as soon as one path under the pathspec differs (stops at the first difference).
bool trees_differ(const Repository& repo, const odb::Tree* old_tree, const odb::Tree* new_tree,
                  const Pathspec& pathspec);

// What a path names under a tree: the id and mode of its entry (nullopt if absent).
struct PathEntry {
  ObjectId id;
  std::uint32_t mode = 0;
};
std::optional<PathEntry> find_path(const Repository& repo, const ObjectId& root, std::string_view path);

// A path compared between two root trees, as a diff limited to that one path sees it:
// `same` when its entry is identical (found without reading below the first shared
// subtree), else its entry under old_root (nullopt if it is not there).
struct PathComparison {
  bool same = false;
  std::optional<PathEntry> old_entry;
};
PathComparison compare_path(const Repository& repo, const ObjectId& old_root, const ObjectId& new_root,
                            std::string_view path);

// The files (not submodules) of a commit's tree that the pathspec selects, in git's order:
// find_files, and the file list of a whole-repository blame.
std::vector<std::string> files_in_tree(const Repository& repo, const ObjectId& commit, const Pathspec& pathspec);

inline bool is_regular_file_mode(std::uint32_t mode) { return (mode & 0170000) == 0100000; }
inline bool is_gitlink_mode(std::uint32_t mode) { return (mode & 0170000) == 0160000; }

}  // namespace gitfleet::git
