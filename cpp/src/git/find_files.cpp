#include "gitfleet/git/find_files.hpp"

#include "blob_store.hpp"
#include "tree_diff.hpp"

namespace gitfleet::git {

std::vector<std::string> files_in_tree(const Repository& repo, const ObjectId& commit, const Pathspec& pathspec) {
  odb::Tree tree = repo.tree(repo.header(commit).tree);
  std::vector<std::string> paths;
  for (TreeChange& change : diff_trees(repo, nullptr, &tree, pathspec))
    if (!is_gitlink_mode(change.new_mode)) paths.push_back(std::move(change.new_path));
  return paths;
}

std::vector<std::string> find_files(const std::string& repo_path, const std::string& rev,
                                    const std::vector<std::string>& patterns) {
  Pathspec pathspec(patterns);
  Repository repo = Repository::open(repo_path);
  return files_in_tree(repo, repo.resolve_commit(rev), pathspec);
}

}  // namespace gitfleet::git
