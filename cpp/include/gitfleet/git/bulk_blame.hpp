#pragma once
// Many files of one repository blamed at once: one walk of the history per core, each over its
// share of the files (a commit is visited once per walk for all the files of that share). A
// file that cannot be blamed fails alone; a bad repository or revision fails the call.
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/git/blame.hpp"

namespace gitfleet::git {

struct FileBlame {
  std::string path;
  BlameResult result;        // empty when error is set
  std::exception_ptr error;  // this file alone could not be blamed
};

// paths: the files to blame; nullopt: every file at options.rev (submodules aside). Results
// in the order of paths. Runs on the shared thread pool; throws Error for a repository or a
// revision (options.rev, options.ignore_revs) that cannot be read, or when cancelled.
std::vector<FileBlame> bulk_blame(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                                  const BlameOptions& options, const CancellationToken& cancel = CancellationToken());

}  // namespace gitfleet::git
