#pragma once
// Blob contents for one diff, read once and shared by rename detection and line counting.
// A submodule (gitlink) has no blob here: like git, it reads as "Subproject commit <id>\n".
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "repository.hpp"

namespace gitfleet::git {

class BlobStore {
 public:
  explicit BlobStore(const Repository& repo) : repo_(repo) {}

  // The blob's bytes, or synthesized text for a gitlink; valid until released.
  std::string_view content(const ObjectId& id, std::uint32_t mode);
  std::uint64_t size(const ObjectId& id, std::uint32_t mode);
  // Forgets a content no longer needed (views of it become invalid).
  void release(const ObjectId& id, std::uint32_t mode);

 private:
  struct Key {
    ObjectId id;
    bool gitlink;
    bool operator==(const Key& o) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept { return ObjectIdHash{}(k.id) ^ k.gitlink; }
  };
  struct Stored {
    odb::Object blob;
    std::string synthetic;
    std::string_view view() const { return blob.storage ? blob.data() : std::string_view(synthetic); }
  };
  const Repository& repo_;
  std::unordered_map<Key, Stored, KeyHash> contents_;
  std::unordered_map<Key, std::uint64_t, KeyHash> sizes_;
};

}  // namespace gitfleet::git
