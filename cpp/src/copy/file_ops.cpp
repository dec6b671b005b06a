#include "file_ops.hpp"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace gitfleet::copy {
namespace fs = std::filesystem;

namespace {

// Unnamed temporary files need O_TMPFILE in the destination filesystem and /proc to link
// them; either missing switches the process to named temporaries for good.
std::atomic<bool> g_unnamed_temporaries{::access("/proc/self/fd", X_OK) == 0};

// shutil.copystat's extended-attribute step: what the destination cannot hold is skipped.
void copy_xattrs(int in, int out, const fs::path& dst) {
  ssize_t size = ::flistxattr(in, nullptr, 0);
  if (size <= 0) return;
  std::vector<char> names(static_cast<std::size_t>(size));
  size = ::flistxattr(in, names.data(), names.size());
  if (size <= 0) return;
  std::vector<char> value;
  for (const char* name = names.data(); name < names.data() + size; name += std::strlen(name) + 1) {
    ssize_t len = ::fgetxattr(in, name, nullptr, 0);
    if (len < 0) continue;
    value.resize(static_cast<std::size_t>(len));
    len = ::fgetxattr(in, name, value.data(), value.size());
    if (len < 0) continue;
    if (::fsetxattr(out, name, value.data(), static_cast<std::size_t>(len), 0) != 0 && errno != ENOTSUP &&
        errno != EPERM && errno != EINVAL && errno != ENODATA)
      fail(errno, dst);
  }
}

}  // namespace

void fail(int err, const fs::path& path, const fs::path& path2) {
  throw Error::from_errno(err, path.string(), path2.string());
}

void write_all(int fd, std::string_view bytes, const std::string& name, std::optional<off_t> offset) {
  off_t at = offset.value_or(0);
  write_fully(
      bytes,
      [&](const char* data, std::size_t n) {
        ssize_t w = offset ? ::pwrite(fd, data, n, at) : ::write(fd, data, n);
        if (w > 0) at += w;
        return w;
      },
      [&](int err) { fail(err, name); });
}

std::string temporary_name() {
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id())};
  char name[40];
  std::snprintf(name, sizeof name, ".eacopy-%016llx.tmp", static_cast<unsigned long long>(rng()));
  return name;
}

namespace {

constexpr char kTemporaryMark[] = "user.eacopy.temporary";

bool looks_temporary(const std::string& name) {
  if (name.size() != 28 || name.compare(0, 8, ".eacopy-") != 0 || name.compare(24, 4, ".tmp") != 0) return false;
  return std::all_of(name.begin() + 8, name.begin() + 24, [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Best effort: where user xattrs are not supported a leftover is simply never removed.
void mark_temporary(int fd) { ::fsetxattr(fd, kTemporaryMark, "1", 1, 0); }
void unmark_temporary(int fd) { ::fremovexattr(fd, kTemporaryMark); }

}  // namespace

bool is_leftover_temporary(const fs::path& path) noexcept {
  return looks_temporary(path.filename().string()) && ::lgetxattr(path.c_str(), kTemporaryMark, nullptr, 0) >= 0;
}

TemporaryFile::TemporaryFile(const fs::path& target) : target_(target) {
  dir_ = target.parent_path();
  if (dir_.empty()) dir_ = ".";
  if (g_unnamed_temporaries.load(std::memory_order_relaxed)) {
    fd_.reset(::open(dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
    if (fd_) return;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) fail(errno, target_);
    g_unnamed_temporaries.store(false);
  }
  for (int attempt = 0; attempt < 64; ++attempt) {
    fs::path candidate = dir_ / temporary_name();
    fd_.reset(::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (fd_) {
      named_ = candidate;
      mark_temporary(fd_.get());
      return;
    }
    if (errno != EEXIST) fail(errno, target_);
  }
  fail(EEXIST, target_);
}

TemporaryFile::~TemporaryFile() {
  if (!published_ && !named_.empty()) ::unlink(named_.c_str());
}

void TemporaryFile::publish() {
  if (named_.empty()) {
    char proc[64];
    std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd_.get());
    if (::linkat(AT_FDCWD, proc, AT_FDCWD, target_.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      published_ = true;
      return;
    }
    if (errno != EEXIST) fail(errno, target_);
    // Replacing a file: give the content a hidden name first, then rename over.
    mark_temporary(fd_.get());
    for (int attempt = 0; named_.empty() && attempt < 64; ++attempt) {
      fs::path candidate = dir_ / temporary_name();
      if (::linkat(AT_FDCWD, proc, AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) == 0)
        named_ = candidate;
      else if (errno != EEXIST)
        fail(errno, target_);
    }
    if (named_.empty()) fail(EEXIST, target_);
  }
  unmark_temporary(fd_.get());
  if (::rename(named_.c_str(), target_.c_str()) != 0) fail(errno, target_);
  published_ = true;
}

UniqueFd open_source(const fs::path& src, struct stat& st) {
  UniqueFd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!in) fail(errno, src);
  if (::fstat(in.get(), &st) != 0) fail(errno, src);
  if (S_ISDIR(st.st_mode)) fail(EISDIR, src);
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISFIFO(st.st_mode) ? "a named pipe" : S_ISSOCK(st.st_mode) ? "a socket" : "a device";
    throw Error(ErrorCode::SpecialFile, 0, "`" + src.string() + "` is " + kind, src.string());
  }
  return in;
}

bool existing_destination(const fs::path& src, const struct stat& src_st, const fs::path& dst, struct stat& dst_st) {
  if (::stat(dst.c_str(), &dst_st) != 0) {
    if (errno != ENOENT) fail(errno, dst);
    return false;
  }
  if (S_ISDIR(dst_st.st_mode)) fail(EISDIR, dst);
  if (dst_st.st_dev == src_st.st_dev && dst_st.st_ino == src_st.st_ino)
    throw Error(ErrorCode::SameFile, 0, "'" + src.string() + "' and '" + dst.string() + "' are the same file",
                    src.string(), dst.string());
  return true;
}

void apply_metadata(int in, int out, const struct stat& st, Metadata metadata, const fs::path& dst) {
  if (metadata == Metadata::None) return;
  if (metadata == Metadata::All) copy_xattrs(in, out, dst);
  if (::fchmod(out, st.st_mode & 07777) != 0) fail(errno, dst);
  if (metadata == Metadata::All) {
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (::futimens(out, times) != 0) fail(errno, dst);
  }
}

}  // namespace gitfleet::copy
