#pragma once
// A commit object parsed without copies: views into the object's bytes, which it keeps.
#include <cstdint>
#include <string_view>
#include <vector>

#include "gitfleet/odb/object_database.hpp"

namespace gitfleet::odb {

// "Name <email> time tz" split as git's split_ident_line does.
struct Ident {
  std::string_view name;
  std::string_view email;
  std::int64_t time = 0;
  int offset = 0;  // minutes east of UTC
};

class Commit {
 public:
  // Throws Error(ObjectError) naming `id` if the object is not a well-formed commit.
  Commit(const ObjectId& id, Object object);

  const ObjectId& tree() const noexcept { return tree_; }
  const std::vector<ObjectId>& parents() const noexcept { return parents_; }
  const Ident& author() const noexcept { return author_; }
  const Ident& committer() const noexcept { return committer_; }
  std::string_view encoding() const noexcept { return encoding_; }  // "" when absent
  std::string_view message() const noexcept { return message_; }    // everything after the headers

  // A shallow commit's parents are not in the repository: git shows it as a root.
  void drop_parents() noexcept { parents_.clear(); }

 private:
  Object object_;
  ObjectId tree_;
  std::vector<ObjectId> parents_;
  Ident author_, committer_;
  std::string_view encoding_, message_;
};

}  // namespace gitfleet::odb
