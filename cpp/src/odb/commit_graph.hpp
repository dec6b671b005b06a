#pragma once
// The commit-graph file (objects/info/commit-graph, one file, no chain): each commit's tree,
// parents and commit date without inflating the commit.
#include <memory>
#include <optional>
#include <string>

#include "gitfleet/odb/object_database.hpp"
#include "mapped_file.hpp"

namespace gitfleet::odb {

class CommitGraph {
 public:
  // nullptr when there is no single-file graph or it is unusable (then commits are parsed).
  static std::unique_ptr<CommitGraph> open(const std::string& objects_dir);

  std::optional<GraphCommit> find(const ObjectId& id) const;

 private:
  explicit CommitGraph(std::unique_ptr<MappedFile> file) : file_(std::move(file)) {}
  ObjectId id_at(std::uint32_t pos) const noexcept { return ObjectId::from_raw(ids_ + std::size_t(pos) * ObjectId::kSize); }

  std::unique_ptr<MappedFile> file_;
  std::uint32_t count_ = 0;
  const unsigned char* fanout_ = nullptr;
  const unsigned char* ids_ = nullptr;
  const unsigned char* data_ = nullptr;
  const unsigned char* edges_ = nullptr;
  std::size_t edge_count_ = 0;
};

}  // namespace gitfleet::odb
