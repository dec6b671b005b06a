#include "libgit2_handles.hpp"

#include <mutex>

namespace gitfleet::git {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    // libgit2 re-hashes every object it reads (SHA-1DC, slow); our object store reads what
    // the engines need, and libgit2 only the few objects revision parsing peels.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
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

}  // namespace gitfleet::git
