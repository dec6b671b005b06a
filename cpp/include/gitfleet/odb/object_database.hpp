#pragma once
// git's object database, read by us: loose objects, packs (.idx v1/v2, 64-bit offsets, any
// number of packs) with OFS/REF deltas, alternates, `.git/shallow` and the commit-graph file.
//
// ObjectDatabase is what every reader shares (mapped packs, the shallow set, the commit-graph)
// and is safe to use from many threads. ObjectReader is one thread's reader: it owns a bounded
// cache of delta bases, so give each thread its own.
//
// Any damage (truncated or corrupt loose object, truncated pack, bad delta, an index that does
// not belong to its pack) ends in gitfleet::Error(ObjectError) naming the object, never in a
// hang or a read outside the files.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitfleet/odb/object_id.hpp"

namespace gitfleet::odb {

// An object's content, shared with the cache it may come from.
struct Object {
  ObjectType type = ObjectType::Blob;
  std::shared_ptr<const char[]> storage;
  std::size_t size = 0;
  std::string_view data() const noexcept { return {storage.get(), size}; }
};

// What the commit-graph knows of a commit: enough to walk history without reading it.
struct GraphCommit {
  ObjectId tree;
  std::vector<ObjectId> parents;
  std::int64_t time = 0;  // committer date
};

class ObjectDatabase {
 public:
  // `objects_dir` is the repository's objects folder (.git/objects or a bare repository's);
  // `git_dir` holds `shallow`. Throws Error(NotARepository) if objects_dir is not a folder.
  static std::shared_ptr<ObjectDatabase> open(const std::string& objects_dir, const std::string& git_dir);
  ~ObjectDatabase();

  // True when git treats this commit as having no parents (listed in .git/shallow).
  bool is_shallow(const ObjectId& commit) const;
  // The commit-graph's record of a commit (none when there is no usable graph, or the graph
  // does not hold the commit). Never used in a shallow repository, as git does.
  std::optional<GraphCommit> graph_commit(const ObjectId& commit) const;

 private:
  struct State;
  explicit ObjectDatabase(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  friend class ObjectReader;
};

class ObjectReader {
 public:
  // `cache_bytes` bounds the delta-base cache (git's core.deltaBaseCacheLimit is 96 MiB).
  explicit ObjectReader(std::shared_ptr<ObjectDatabase> db, std::size_t cache_bytes = 48u << 20);
  ~ObjectReader();
  ObjectReader(ObjectReader&&) noexcept;
  ObjectReader& operator=(ObjectReader&&) noexcept;

  // The object, or Error(ObjectError) if it is missing or damaged.
  Object read(const ObjectId& id);
  // The object, checked to be of `type` (Error(ObjectError) otherwise).
  Object read(const ObjectId& id, ObjectType type);
  // Type and size without the content where the store allows (packed non-deltas, loose).
  std::pair<ObjectType, std::uint64_t> header(const ObjectId& id);


 private:
  struct Impl;
  std::shared_ptr<ObjectDatabase> db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitfleet::odb
