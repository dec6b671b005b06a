#pragma once
// Commit history with line statistics: `git log --numstat` as records, in git's order.
// The walk runs on the calling thread; per-commit diffs run in parallel on the shared pool
// with a bounded window, and records reach the sink in walk order.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/git/signature.hpp"

namespace gitfleet::git {

struct FileChange {
  std::string path;      // path after the commit ('D': the deleted path)
  std::string old_path;  // path before the commit ('A': empty)
  char change_type = 'M';  // 'A' added, 'D' deleted, 'M' modified, 'R' renamed, 'T' type changed
  std::int64_t additions = 0;
  std::int64_t deletions = 0;
  bool binary = false;  // git's numstat prints "-" for both counts; they are 0 here
};

struct CommitRecord {
  std::string sha;
  std::string repo_name;
  std::string message;
  Signature author;
  Signature committer;
  std::vector<std::string> parents;
  std::int64_t additions = 0;  // against the first parent (the empty tree for a root commit)
  std::int64_t deletions = 0;
  std::int64_t files_changed = 0;  // as git log --shortstat counts them, with or without include_files
  bool is_merge = false;
  std::vector<FileChange> files;  // filled only with include_files
};

struct HistoryOptions {
  std::string rev = "HEAD";
  std::optional<std::int64_t> max_count;
  std::optional<std::int64_t> since;  // committer time, seconds, inclusive
  std::optional<std::int64_t> until;  // committer time, seconds, inclusive
  std::vector<std::string> paths;
  std::vector<std::string> exclude;  // git log ^rev: these commits and their ancestors are left out
  // Full SHAs left out as given, their ancestry not walked: for a set that holds every ancestor
  // of each (a history stored at an earlier HEAD), the same as `exclude` of them, without the walk.
  std::vector<std::string> exclude_commits;
  bool first_parent = false;
  bool include_files = false;
  bool detect_renames = true;
  // false: the walk alone, no diffs (additions, deletions and files_changed stay 0): a
  // window's commits and git's order at the cost of reading commits only.
  bool line_counts = true;
  // 0: every core (the shared pool); 1: everything on the calling thread; n: at most n
  // commits diffed at once on the shared pool (runs of 8 consecutive commits per task).
  std::size_t threads = 0;
};

// Feeds each commit to sink in `git log` order; stops early when sink returns false.
void for_each_commit(const std::string& repo_path, const HistoryOptions& options,
                     const std::function<bool(CommitRecord&&)>& sink,
                     const CancellationToken& cancel = CancellationToken());

// The streaming producer of the history: the same commits, handed to sink in batches of
// `batch_size` (the last may be shorter); stops early when sink returns false. InvalidArgument
// when batch_size is 0.
void for_each_commit_batch(const std::string& repo_path, const HistoryOptions& options, std::size_t batch_size,
                           const std::function<bool(std::vector<CommitRecord>&&)>& sink,
                           const CancellationToken& cancel = CancellationToken());

std::vector<CommitRecord> extract_commits(const std::string& repo_path, const HistoryOptions& options,
                                          const CancellationToken& cancel = CancellationToken());

}  // namespace gitfleet::git
