#pragma once
// Copying directory trees (shutil.copytree's contract) in parallel: directories are listed
// and batches of their files copied by `thread_count` threads. Optional: skip files whose
// size and modification time already match, mirror (remove what the source does not have),
// include/exclude globs, an explicit file list. Every file is written atomically.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/core/error.hpp"
#include "gitfleet/copy/file_copy.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

struct TreeCopyOptions {
  bool symlinks = false;                  // copy symlinks as symlinks (else copy their targets)
  bool ignore_dangling_symlinks = false;  // with symlinks=false: skip links to nothing
  bool dirs_exist_ok = false;
  Metadata metadata = Metadata::All;      // per file, as copy2 (All) or copy (Mode)
  bool skip_unchanged = false;            // same size and mtime at the destination: skip
  bool mirror = false;                    // remove destination entries the source lacks
  // Globs (fnmatch): a pattern with '/' matches the path relative to the tree's root, one
  // without matches the entry's name. Excludes apply to files and directories, includes
  // to files only; an empty include list includes every file.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::optional<std::vector<std::string>> files;  // only these paths (relative to src)
};

struct CopyFailure {
  std::string path;     // relative to the tree's root (or the source, in a batch)
  std::string message;  // the error's message, and the file it names
  int sys_errno = 0;

  static CopyFailure of(std::string path, const Error& e) {
    return {std::move(path), e.what() + (e.path().empty() ? std::string() : ": '" + e.path() + "'"), e.sys_errno()};
  }
};

// What a copy did, for callers and for EACopy's summary table.
struct CopySummary {
  std::uint64_t files_total = 0;
  std::uint64_t files_copied = 0;
  std::uint64_t files_linked = 0;  // copies through a copy server: hard-linked, not sent
  std::uint64_t files_skipped = 0;
  std::uint64_t files_failed = 0;
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_copied = 0;
  std::uint64_t bytes_linked = 0;
  std::uint64_t bytes_skipped = 0;
  std::uint64_t bytes_sent = 0;      // copies through a copy server: bytes on the wire, both ways
  int compression_level = -1;        // copies through a copy server: the zstd level last used
  std::uint64_t dirs_created = 0;
  std::uint64_t dirs_failed = 0;     // not created, listed or given their metadata (in failures)
  std::uint64_t entries_purged = 0;  // removed by mirror
  std::uint64_t retries = 0;         // attempts repeated under ErrorStrategy::Retry
  double seconds = 0;
  std::vector<CopyFailure> failures;  // with ErrorStrategy::Ignore

  void merge(const CopySummary& other);
};

CopySummary copy_tree(const std::filesystem::path& src, const std::filesystem::path& dst,
                      const TreeCopyOptions& options, const Config& config,
                      const CancellationToken& cancel = CancellationToken());

// Copies (src, dst) pairs with copy()'s destination rule, in parallel, under config's
// error strategy.
CopySummary copy_files(const std::vector<std::pair<std::string, std::string>>& pairs, Metadata metadata,
                       const Config& config, const CancellationToken& cancel = CancellationToken());

}  // namespace gitfleet::copy
