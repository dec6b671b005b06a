#pragma once
// History as Arrow record batches (the C data interface; no Arrow library linked): one batch
// of commits and one of their file changes at a time, in `git log` order. The columns are
// documented in docs/columnar.md; times are timestamps (seconds, UTC) beside their offset in
// minutes east of UTC; paths are UTF-8 (bytes that are not become U+FFFD).
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "gitfleet/columnar/record_batch.hpp"
#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/git/history.hpp"

namespace gitfleet::git {

struct HistoryBatch {
  columnar::ExportedBatch commits;
  columnar::ExportedBatch file_changes;  // no rows unless options.include_files
};

// Throws InvalidArgument naming the first of `commit_columns` the commits table does not have.
void check_commit_columns(const std::vector<std::string>& commit_columns);

// Hands batches of at most `batch_commits` commits (fewer when a batch's strings pass 64 MiB)
// to `sink`, which returns false to stop; at least one batch, empty when there are no commits.
// `commit_columns` (empty: all) are the columns the commits batches carry, in schema order.
void for_each_history_batch(const std::string& repo_path, const HistoryOptions& options, std::size_t batch_commits,
                            const std::function<bool(HistoryBatch&&)>& sink,
                            const CancellationToken& cancel = CancellationToken(),
                            const std::vector<std::string>& commit_columns = {});

}  // namespace gitfleet::git
