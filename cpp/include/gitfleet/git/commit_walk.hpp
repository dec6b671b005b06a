#pragma once
// The commits `git log <rev> [-- <paths>]` shows, in git's default order: newest commit date
// first as parents are discovered (not a global sort, so clock skew orders as git orders it),
// --since stops the walk below it, --until filters, and with paths git's default history
// simplification (a merge that is TREESAME to a parent follows only that parent; commits
// TREESAME to their parent are not shown).
#include <git2.h>

#include <cstdint>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "gitfleet/git/pathspec.hpp"
#include "gitfleet/git/repository.hpp"

namespace gitfleet::git {

struct WalkOptions {
  bool first_parent = false;
  std::optional<std::int64_t> since;  // committer time >= since, in seconds
  std::optional<std::int64_t> until;  // committer time <= until
  Pathspec pathspec;
};

class CommitWalk {
 public:
  CommitWalk(const Repository& repo, const git_oid& start, WalkOptions options);

  // The next commit to show, or nullopt when the walk is over.
  std::optional<git_oid> next();

 private:
  struct Node : CommitHeader {
    bool seen = false;  // queued once already
  };
  struct Queued {
    std::int64_t time;
    std::uint64_t order;
    git_oid id;
    // Newest first; among equal dates, first discovered first (git's insert_by_date).
    bool operator<(const Queued& o) const { return time != o.time ? time < o.time : order > o.order; }
  };
  struct OidHash {
    std::size_t operator()(const git_oid& id) const noexcept;
  };
  struct OidEq {
    bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_equal(&a, &b); }
  };

  Node& load(const git_oid& id);
  void enqueue(const git_oid& id);
  bool same_tree(const git_oid* old_tree, const git_oid& new_tree);

  const Repository& repo_;
  WalkOptions options_;
  std::unordered_map<git_oid, Node, OidHash, OidEq> nodes_;
  std::priority_queue<Queued> queue_;
  std::uint64_t discovered_ = 0;
};

}  // namespace gitfleet::git
