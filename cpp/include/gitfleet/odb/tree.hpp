#pragma once
// A tree object parsed without copies: entries in git's order, views into the object's bytes.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "gitfleet/odb/object_database.hpp"

namespace gitfleet::odb {

constexpr std::uint32_t kModeTree = 0040000;
constexpr std::uint32_t kModeGitlink = 0160000;

struct TreeEntry {
  std::string_view name;
  std::uint32_t mode = 0;
  ObjectId id;
  bool is_tree() const noexcept { return mode == kModeTree; }
};

class Tree {
 public:
  Tree() = default;  // the empty tree
  // Throws Error(ObjectError) naming `id` if the object is not a well-formed tree.
  Tree(const ObjectId& id, Object object);

  const std::vector<TreeEntry>& entries() const noexcept { return entries_; }
  const ObjectId& id() const noexcept { return id_; }

 private:
  ObjectId id_;
  Object object_;
  std::vector<TreeEntry> entries_;
};

// The entry of that name (not a path) in a tree object, found by scanning its bytes without
// parsing the whole tree. Error(ObjectError) naming `id` if the tree is malformed.
std::optional<TreeEntry> find_entry(const ObjectId& id, const Object& tree, std::string_view name);

}  // namespace gitfleet::odb
