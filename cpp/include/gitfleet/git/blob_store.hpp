#pragma once
// Blob contents for one diff, read once and shared by rename detection and line counting.
// A submodule (gitlink) has no blob here: like git, it reads as "Subproject commit <id>\n".
#include <git2.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gitfleet/git/repository.hpp"

namespace gitfleet::git {

// A file's content: the libgit2 blob when there is one (its id is known, so diffs need not
// hash it again), or synthesized text for a gitlink.
struct BlobContent {
  const git_blob* blob = nullptr;
  std::string_view data;
};

class BlobStore {
 public:
  explicit BlobStore(const Repository& repo) : repo_(repo) {}

  BlobContent content(const git_oid& id, std::uint32_t mode);
  std::uint64_t size(const git_oid& id, std::uint32_t mode);
  // Forgets a content no longer needed (views of it become invalid).
  void release(const git_oid& id, std::uint32_t mode);

 private:
  struct Key {
    git_oid id;
    bool gitlink;
    bool operator==(const Key& o) const { return gitlink == o.gitlink && git_oid_equal(&id, &o.id); }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  const Repository& repo_;
  struct Stored {
    BlobPtr blob;
    std::string synthetic;
    BlobContent view() const;
  };
  std::unordered_map<Key, Stored, KeyHash> contents_;
  std::unordered_map<Key, std::uint64_t, KeyHash> sizes_;
};

inline bool is_gitlink_mode(std::uint32_t mode) { return (mode & 0170000) == 0160000; }

}  // namespace gitfleet::git
