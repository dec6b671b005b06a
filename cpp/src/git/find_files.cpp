#include "gitfleet/git/find_files.hpp"

#include "tree_diff.hpp"

namespace gitfleet::git {

std::vector<std::string> find_files(const std::string& repo_path, const std::string& rev,
                                    const std::vector<std::string>& patterns) {
  Pathspec pathspec(patterns);
  Repository repo = Repository::open(repo_path);
  return files_in_tree(repo, repo.resolve_commit(rev), pathspec);
}

}  // namespace gitfleet::git
