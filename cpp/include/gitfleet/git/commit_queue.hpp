#pragma once
// What git's revision walk and blame both keep: commits ordered newest commit date first,
// commits of equal date in the order they were found (git's prio_queue). Also the hash and
// equality that put object ids in unordered containers.
#include <git2.h>

#include <cstdint>
#include <cstring>
#include <queue>
#include <vector>

namespace gitfleet::git {

struct OidHash {
  std::size_t operator()(const git_oid& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.id, sizeof h);  // object ids are already uniformly distributed
    return h;
  }
};

struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const noexcept { return git_oid_equal(&a, &b); }
};

class CommitQueue {
 public:
  void push(std::int64_t commit_time, const git_oid& id) { queue_.push({commit_time, found_++, id}); }
  bool empty() const { return queue_.empty(); }
  git_oid pop() {
    git_oid id = queue_.top().id;
    queue_.pop();
    return id;
  }

 private:
  struct Item {
    std::int64_t time;
    std::uint64_t order;
    git_oid id;
    bool operator<(const Item& o) const { return time != o.time ? time < o.time : order > o.order; }
  };
  std::priority_queue<Item> queue_;
  std::uint64_t found_ = 0;
};

}  // namespace gitfleet::git
