#include "blob_store.hpp"

#include "tree_diff.hpp"

namespace gitfleet::git {

std::string_view BlobStore::content(const ObjectId& id, std::uint32_t mode) {
  Key key{id, is_gitlink_mode(mode)};
  auto it = contents_.find(key);
  if (it != contents_.end()) return it->second.view();
  Stored stored;
  if (key.gitlink) stored.synthetic = "Subproject commit " + id.hex() + "\n";
  else stored.blob = repo_.blob(id);
  return contents_.emplace(key, std::move(stored)).first->second.view();
}

void BlobStore::release(const ObjectId& id, std::uint32_t mode) { contents_.erase(Key{id, is_gitlink_mode(mode)}); }

std::uint64_t BlobStore::size(const ObjectId& id, std::uint32_t mode) {
  Key key{id, is_gitlink_mode(mode)};
  if (auto it = contents_.find(key); it != contents_.end()) return it->second.view().size();
  if (key.gitlink) return content(id, mode).size();
  if (auto it = sizes_.find(key); it != sizes_.end()) return it->second;
  std::uint64_t size = repo_.object_size(id);
  sizes_.emplace(key, size);
  return size;
}

}  // namespace gitfleet::git
