#pragma once
// The commits `git log <rev> [-- <paths>]` shows, in git's default order: newest commit date
// first as parents are discovered (not a global sort, so clock skew orders as git orders it),
// --since stops the walk below it, --until filters, and with paths git's default history
// simplification (a merge that is TREESAME to a parent follows only that parent; commits
// TREESAME to their parent are not shown). Excluded commits (`git log ^rev`) and every
// ancestor of theirs are neither shown nor walked through; their ancestry is marked in full
// first, so the answer is exact whatever the clocks say (git's own walk guesses with a slop).
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "commit_queue.hpp"
#include "pathspec.hpp"
#include "repository.hpp"

namespace gitfleet::git {

struct WalkOptions {
  bool first_parent = false;
  std::optional<std::int64_t> since;  // committer time >= since, in seconds
  std::optional<std::int64_t> until;  // committer time <= until
  Pathspec pathspec;
  std::vector<ObjectId> exclude;  // hidden with all their ancestors
  std::unordered_set<ObjectId, ObjectIdHash> exclude_commits;  // hidden as given (see HistoryOptions)
};

class CommitWalk {
 public:
  CommitWalk(const Repository& repo, const ObjectId& start, WalkOptions options);

  // The next commit to show, or nullopt when the walk is over.
  std::optional<ObjectId> next();

 private:
  struct Node : CommitHeader {
    bool seen = false;    // queued once already
    bool hidden = false;  // an excluded commit or one of its ancestors
  };

  Node& load(const ObjectId& id);
  void enqueue(const ObjectId& id);
  void hide_ancestry(const std::vector<ObjectId>& tips);
  bool same_tree(const ObjectId* old_tree, const ObjectId& new_tree);

  const Repository& repo_;
  WalkOptions options_;
  std::unordered_map<ObjectId, Node, ObjectIdHash> nodes_;
  CommitQueue queue_;
};

}  // namespace gitfleet::git
