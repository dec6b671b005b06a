#include "gitfleet/git/libgit2_handles.hpp"

#include <mutex>

namespace gitfleet::git {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // libgit2 re-hashes every object it reads (SHA-1DC, slow); git itself trusts its object
    // store on read, and so do we: that hashing was a third of history extraction.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    // Let libgit2's object cache (bounded, 256 MiB in all) keep blobs and large trees too
    // (by default it keeps no blob and no tree over 4 KiB): walking history newest first, a
    // commit's old blobs are the next commit's new ones, and big directories are re-read at
    // every commit.
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, static_cast<size_t>(1024 * 1024));
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, static_cast<size_t>(1024 * 1024));
  });
}

std::string last_libgit2_message() {
  const git_error* err = git_error_last();
  return err && err->message ? std::string(err->message) : std::string();
}

void check(int rc, ErrorCode code, const std::string& context) {
  if (rc >= 0) return;
  std::string detail = last_libgit2_message();
  throw Error(code, detail.empty() ? context : context + ": " + detail);
}

std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace gitfleet::git
