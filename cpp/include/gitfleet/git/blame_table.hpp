#pragma once
// Bulk blame as Arrow record batches: one row per line of every file blamed, file after file
// in the order of the paths, the commit's people and times on every row (columns in
// docs/columnar.md). Built file by file as each file's result is let go.
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gitfleet/columnar/record_batch.hpp"
#include "gitfleet/git/bulk_blame.hpp"

namespace gitfleet::git {

struct BlameTable {
  std::vector<columnar::ExportedBatch> batches;                      // at least one (maybe empty)
  // One row per file blamed, empty ones too: path, lines, and binary (a NUL byte in its first
  // 8000 bytes, git's buffer_is_binary), which the lines cannot tell once invalid UTF-8 in
  // them has been replaced.
  columnar::ExportedBatch files;
  std::vector<std::pair<std::string, std::exception_ptr>> failures;  // files that could not be blamed
};

// As bulk_blame (paths nullopt: every file at options.rev); batches of at most `batch_rows`
// lines (fewer when a batch's strings pass 64 MiB).
BlameTable blame_table(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                       const BlameOptions& options, std::size_t batch_rows, const CancellationToken& cancel = {},
                       const BulkBlameProgressFn& progress = {});

}  // namespace gitfleet::git
