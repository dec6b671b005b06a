#include "gitfleet/git/blob_store.hpp"

#include "gitfleet/git/commit_queue.hpp"

namespace gitfleet::git {

std::size_t BlobStore::KeyHash::operator()(const Key& k) const noexcept {
  return OidHash{}(k.id) ^ static_cast<std::size_t>(k.gitlink);
}

BlobContent BlobStore::Stored::view() const {
  if (!blob) return {nullptr, synthetic};
  return {blob.get(), std::string_view(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                       static_cast<std::size_t>(git_blob_rawsize(blob.get())))};
}

BlobContent BlobStore::content(const git_oid& id, std::uint32_t mode) {
  Key key{id, is_gitlink_mode(mode)};
  auto it = contents_.find(key);
  if (it != contents_.end()) return it->second.view();
  Stored stored;
  if (key.gitlink) stored.synthetic = "Subproject commit " + oid_hex(id) + "\n";
  else stored.blob = repo_.blob(id);
  return contents_.emplace(key, std::move(stored)).first->second.view();
}

void BlobStore::release(const git_oid& id, std::uint32_t mode) { contents_.erase(Key{id, is_gitlink_mode(mode)}); }

std::uint64_t BlobStore::size(const git_oid& id, std::uint32_t mode) {
  Key key{id, is_gitlink_mode(mode)};
  if (auto it = contents_.find(key); it != contents_.end()) return it->second.view().data.size();
  if (key.gitlink) return content(id, mode).data.size();
  if (auto it = sizes_.find(key); it != sizes_.end()) return it->second;
  git_odb* odb = nullptr;
  check(git_repository_odb(&odb, repo_.raw()), ErrorCode::ObjectError, "cannot open object database");
  std::size_t len = 0;
  git_object_t type;
  int rc = git_odb_read_header(&len, &type, odb, &id);
  git_odb_free(odb);
  check(rc, ErrorCode::ObjectError, "cannot read blob " + oid_hex(id));
  sizes_.emplace(key, len);
  return len;
}

}  // namespace gitfleet::git
