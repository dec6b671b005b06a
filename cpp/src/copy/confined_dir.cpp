#include "confined_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>

#include "gitfleet/core/error.hpp"

namespace gitfleet::copy {

UniqueFd open_beneath(int dir_fd, std::string_view rel, bool create, std::uint64_t* created) {
  UniqueFd current(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (!current) throw Error::from_errno(errno, std::string(rel));
  std::size_t start = 0;
  while (start < rel.size()) {
    std::size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string part(rel.substr(start, end - start));
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd next(::openat(current.get(), part.c_str(), flags));
    if (!next && errno == ENOENT && create) {
      if (::mkdirat(current.get(), part.c_str(), 0777) == 0) {
        if (created) ++*created;
      } else if (errno != EEXIST) {
        throw Error::from_errno(errno, std::string(rel.substr(0, end)));
      }
      next.reset(::openat(current.get(), part.c_str(), flags));
    }
    if (!next) {
      if (errno == ELOOP || errno == ENOTDIR)
        throw Error(ErrorCode::Refused, errno,
                        "'" + std::string(rel.substr(0, end)) + "' is a symlink or not a directory", std::string(rel));
      throw Error::from_errno(errno, std::string(rel.substr(0, end)));
    }
    current = std::move(next);
    start = end + 1;
  }
  return current;
}

std::pair<std::string_view, std::string_view> split_parent(std::string_view rel) {
  auto slash = rel.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

std::string path_in(int dir_fd, std::string_view name) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + std::string(name);
}

}  // namespace gitfleet::copy
