#pragma once
// Blame with git's algorithm and git's results (`git blame --porcelain <rev> -- <path>`):
// commits are visited newest first; each passes the lines it did not change to its parents
// (xdiff hunks, with git's own trimming of the common tail), following whole-file renames
// with git's rename detection; whatever no parent takes is the commit's. A root commit's
// lines are "boundary" lines, as with git's default blame.showRoot=false.
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/git/signature.hpp"

namespace gitfleet::git {

struct BlameOptions {
  std::string rev = "HEAD";
  bool first_parent = false;       // git blame --first-parent
  bool ignore_whitespace = false;  // git blame -w
  int first_line = 0;              // git blame -L first,last (1-based, inclusive); 0: whole file
  int last_line = 0;
  std::vector<std::string> ignore_revs;  // git blame --ignore-rev (each must name a commit)
  std::vector<std::string> exclude;  // git blame A..B: lines reaching A's history stay with the commit they reach (boundary)
  // Full SHAs: as `exclude` of them without walking their ancestry (see HistoryOptions).
  std::vector<std::string> exclude_commits;
  bool mailmap = true;  // authors and committers as the repository's .mailmap names them, as git blame shows them
};

struct BlameCommit {
  std::string sha;
  Signature author, committer;  // .mailmap applied unless options.mailmap is off
  std::string summary;  // first line of the message
  bool boundary = false;
};

struct BlameLine {
  std::size_t commit = 0;  // index into BlameResult::commits
  std::string orig_path;
  std::int64_t orig_line_no = 0;   // 1-based, in orig_path at that commit
  std::int64_t final_line_no = 0;  // 1-based, in the file at rev
  std::string line_content;        // the line at rev, without its '\n'
};

struct BlameResult {
  std::vector<BlameCommit> commits;
  std::vector<BlameLine> lines;  // in final line order
};

// How far blames have got, counted by walks on any number of threads: lines to explain (known
// once each walk has read its files at rev), lines explained, and files whose every line is
// explained (or that failed). `counted` is called from the walk's thread after each commit.
struct BlameTally {
  std::atomic<std::uint64_t> lines_total{0}, lines_done{0};
  std::atomic<std::size_t> files_done{0};
  std::function<void()> counted;
};

BlameResult blame_file(const std::string& repo_path, const std::string& path, const BlameOptions& options = {},
                       const CancellationToken& cancel = CancellationToken());

// Blames files of one repository one after another on one thread, sharing the repository
// handle and what it learned about commits (the walk is mostly the same for every file).
class BlameSession {
 public:
  explicit BlameSession(const std::string& repo_path);
  ~BlameSession();
  BlameSession(const BlameSession&) = delete;
  BlameSession& operator=(const BlameSession&) = delete;

  BlameResult blame(const std::string& path, const BlameOptions& options = {},
                    const CancellationToken& cancel = CancellationToken());

  // Blames all of `paths` in one walk of the history (each commit visited once for all of
  // them). errors[i] is set, and results[i] empty, for a path that could not be blamed.
  // Throws, naming it, if options.rev or one of options.ignore_revs names no commit.
  void check_revisions(const BlameOptions& options);

  // Every file at rev (submodules excluded), in tree order.
  std::vector<std::string> files_at(const std::string& rev);

  std::vector<BlameResult> blame_together(const std::vector<std::string>& paths, const BlameOptions& options,
                                          const CancellationToken& cancel, std::vector<std::exception_ptr>& errors,
                                          BlameTally* tally = nullptr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Sessions kept between calls (a few, least recently used dropped first), so that blaming
// one file after another in separate calls reuses what earlier calls learned. A session is
// used by one caller at a time; a repository replaced on disk gets a fresh one.
class BlameSessionPool {
 public:
  explicit BlameSessionPool(std::size_t max_idle) : max_idle_(max_idle) {}

  class Lease {
   public:
    Lease(BlameSessionPool* pool, std::string key, std::unique_ptr<BlameSession> session)
        : pool_(pool), key_(std::move(key)), session_(std::move(session)) {}
    Lease(Lease&&) = default;
    ~Lease();
    BlameSession& operator*() { return *session_; }
    BlameSession* operator->() { return session_.get(); }

   private:
    BlameSessionPool* pool_;
    std::string key_;
    std::unique_ptr<BlameSession> session_;
  };

  Lease acquire(const std::string& repo_path);
  void clear();  // drops the idle sessions (and the files they hold open)
  static BlameSessionPool& shared();

 private:
  std::size_t max_idle_;
  std::mutex mutex_;
  std::list<std::pair<std::string, std::unique_ptr<BlameSession>>> idle_;  // most recent first
};

// The streaming producer of one file's blame: the file is blamed through the kept sessions,
// then its lines go to `sink` in order, in batches of at most `batch_size` (as the half-open
// range [first, end) of result.lines, so the commits are not copied per batch). Stops early,
// without error, when sink returns false. InvalidArgument when batch_size is 0.
using BlameBatchSink = std::function<bool(const BlameResult& result, std::size_t first, std::size_t end)>;
void stream_blame(const std::string& repo_path, const std::string& path, const BlameOptions& options,
                  std::size_t batch_size, const BlameBatchSink& sink, const CancellationToken& cancel = CancellationToken());

}  // namespace gitfleet::git
