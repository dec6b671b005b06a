#pragma once
// Paths a peer names, resolved without leaving a directory (private to the copy engine):
// component by component with O_NOFOLLOW, so neither ".." nor a symlink anywhere on the way
// can lead outside, and the result is a descriptor, immune to a later rename or swap.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "unique_fd.hpp"

namespace gitfleet::copy {

// Opens the directory `rel` ("" is dir_fd itself) beneath dir_fd. `rel` must have passed
// protocol::is_safe_relative_path. create: missing directories are made. Throws Error:
// Refused when a component is a symlink or not a directory, the errno's kind otherwise.
// `created` counts the directories made.
UniqueFd open_beneath(int dir_fd, std::string_view rel, bool create, std::uint64_t* created = nullptr);

// The last directory opened with open_beneath, kept open: files come grouped by directory.
class DirCache {
 public:
  int open(int dir_fd, std::string_view rel, bool create, std::uint64_t* created = nullptr) {
    if (!fd_ || rel_ != rel) {
      fd_.reset();
      fd_ = open_beneath(dir_fd, rel, create, created);
      rel_ = rel;
    }
    return fd_.get();
  }

 private:
  std::string rel_;
  UniqueFd fd_;
};

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
std::pair<std::string_view, std::string_view> split_parent(std::string_view rel);

// A path naming `name` in the directory open as dir_fd, through /proc/self/fd: for the
// path-based engine functions (temporary files, delta writer) without resolving again.
std::string path_in(int dir_fd, std::string_view name);

}  // namespace gitfleet::copy
