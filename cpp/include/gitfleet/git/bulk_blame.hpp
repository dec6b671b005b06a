#pragma once
// Many files of one repository blamed at once: one walk of the history per core, each over its
// share of the files (a commit is visited once per walk for all the files of that share). A
// file that cannot be blamed fails alone; a bad repository or revision fails the call.
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
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

// How far a bulk blame has got: files whose every line is explained (or that failed) and lines
// explained, of all. lines_total grows while the walks read the files at rev, then stays.
struct BulkBlameProgress {
  std::size_t files_done = 0, files_total = 0;
  std::uint64_t lines_done = 0, lines_total = 0;
};
using BulkBlameProgressFn = std::function<void(const BulkBlameProgress&)>;

// paths: the files to blame; nullopt: every file at options.rev (submodules aside). Results
// in the order of paths. Runs on the shared thread pool; throws Error for a repository or a
// revision (options.rev, options.ignore_revs) that cannot be read, or when cancelled.
// `progress` is called from the walks' threads, one call at a time, at most every
// `progress_interval`, and once more when every file is done; it must not throw.
std::vector<FileBlame> bulk_blame(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                                  const BlameOptions& options, const CancellationToken& cancel = CancellationToken(),
                                  const BulkBlameProgressFn& progress = {},
                                  std::chrono::milliseconds progress_interval = std::chrono::milliseconds(250));

}  // namespace gitfleet::git
