#include "commit_walk.hpp"

#include "tree_diff.hpp"

namespace gitfleet::git {

CommitWalk::CommitWalk(const Repository& repo, const ObjectId& start, WalkOptions options)
    : repo_(repo), options_(std::move(options)) {
  hide_ancestry(options_.exclude);
  enqueue(start);
}

void CommitWalk::hide_ancestry(const std::vector<ObjectId>& tips) {
  std::vector<ObjectId> stack(tips.begin(), tips.end());
  while (!stack.empty()) {
    ObjectId id = stack.back();
    stack.pop_back();
    Node& node = load(id);
    if (node.hidden) continue;
    node.hidden = true;
    // Every parent, even with first_parent: `A..B` hides all of A's history.
    for (const ObjectId& parent : node.parents) stack.push_back(parent);
  }
}

CommitWalk::Node& CommitWalk::load(const ObjectId& id) {
  auto it = nodes_.find(id);
  if (it != nodes_.end()) return it->second;
  Node node;
  static_cast<CommitHeader&>(node) = repo_.header(id);
  return nodes_.emplace(id, std::move(node)).first->second;
}

void CommitWalk::enqueue(const ObjectId& id) {
  if (options_.exclude_commits.count(id)) return;  // before load(): its header is never read
  Node& node = load(id);
  if (node.seen || node.hidden) return;
  node.seen = true;
  queue_.push(node.time, id);
}

bool CommitWalk::same_tree(const ObjectId* old_tree, const ObjectId& new_tree) {
  if (old_tree && *old_tree == new_tree) return true;
  odb::Tree b = repo_.tree(new_tree);
  if (!old_tree) return !trees_differ(repo_, nullptr, &b, options_.pathspec);
  odb::Tree a = repo_.tree(*old_tree);
  return !trees_differ(repo_, &a, &b, options_.pathspec);
}

std::optional<ObjectId> CommitWalk::next() {
  while (!queue_.empty()) {
    ObjectId id = queue_.pop();
    // Copy what we need: enqueue() may rehash nodes_.
    const Node node = nodes_.at(id);
    if (options_.since && node.time < *options_.since) continue;  // git stops below --since

    std::vector<ObjectId> follow = node.parents;
    if (options_.first_parent && follow.size() > 1) follow.erase(follow.begin() + 1, follow.end());
    bool treesame = false;
    if (!options_.pathspec.empty()) {
      if (follow.empty()) {
        treesame = same_tree(nullptr, node.tree);
      } else {
        for (std::size_t i = 0; i < follow.size(); ++i) {
          if (same_tree(&load(follow[i]).tree, node.tree)) {
            // Simplification: follow only the parent that explains the paths.
            follow.erase(follow.begin() + static_cast<std::ptrdiff_t>(i) + 1, follow.end());
            follow.erase(follow.begin(), follow.begin() + static_cast<std::ptrdiff_t>(i));
            treesame = true;
            break;
          }
        }
      }
    }
    for (const ObjectId& parent : follow) enqueue(parent);

    if (options_.until && node.time > *options_.until) continue;
    if (treesame) continue;
    return id;
  }
  return std::nullopt;
}

}  // namespace gitfleet::git
