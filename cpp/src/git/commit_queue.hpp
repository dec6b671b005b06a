#pragma once
// What git's revision walk and blame both keep: commits ordered newest commit date first,
// commits of equal date in the order they were found (git's prio_queue).
#include <cstdint>
#include <queue>
#include <vector>

#include "gitfleet/odb/object_id.hpp"

namespace gitfleet::git {

class CommitQueue {
 public:
  void push(std::int64_t commit_time, const odb::ObjectId& id) { queue_.push({commit_time, found_++, id}); }
  bool empty() const { return queue_.empty(); }
  odb::ObjectId pop() {
    odb::ObjectId id = queue_.top().id;
    queue_.pop();
    return id;
  }

 private:
  struct Item {
    std::int64_t time;
    std::uint64_t order;
    odb::ObjectId id;
    bool operator<(const Item& o) const { return time != o.time ? time < o.time : order > o.order; }
  };
  std::priority_queue<Item> queue_;
  std::uint64_t found_ = 0;
};

}  // namespace gitfleet::git
