#include "gitfleet/copy/file_copy.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "gitfleet/core/error.hpp"
#include "file_ops.hpp"

namespace gitfleet::copy {
namespace fs = std::filesystem;

const char* content_method_name(ContentMethod m) noexcept {
  switch (m) {
    case ContentMethod::None: return "none";
    case ContentMethod::Reflink: return "reflink";
    case ContentMethod::CopyFileRange: return "copy_file_range";
    case ContentMethod::Sendfile: return "sendfile";
    case ContentMethod::ReadWrite: return "read/write";
  }
  return "none";
}

namespace {

std::atomic<int> g_fault_errno{0};
std::atomic<int> g_fault_count{0};

int take_injected_fault() noexcept {
  int n = g_fault_count.load();
  while (n > 0)
    if (g_fault_count.compare_exchange_weak(n, n - 1)) return g_fault_errno.load();
  return 0;
}

// Destination filesystems (by device) that refused a reflink: not asked again.
std::mutex g_reflink_mutex;
std::unordered_set<dev_t> g_no_reflink;

bool reflink_refused(dev_t dev) {
  std::lock_guard lock(g_reflink_mutex);
  return g_no_reflink.count(dev) != 0;
}

void remember_reflink_refused(dev_t dev) {
  std::lock_guard lock(g_reflink_mutex);
  g_no_reflink.insert(dev);
}


// Errors a kernel gives when a fast path is not available for this pair of files.
bool fast_path_unavailable(int err) {
  return err == EXDEV || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP || err == ENOTTY ||
         err == EBADF;
}

std::uint64_t copy_read_write(int in, int out, std::uint64_t done, const FileCopyOptions& o,
                              const fs::path& src, const fs::path& dst, ProgressReporter& progress) {
  std::vector<char> buffer(std::min<std::size_t>(o.buffer_size, 1u << 20));
  for (;;) {
    o.cancel.throw_if_cancelled();
    ssize_t n = ::pread(in, buffer.data(), buffer.size(), static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno, src);
    }
    if (n == 0) return done;
    write_all(out, std::string_view(buffer.data(), static_cast<std::size_t>(n)), dst.string(), static_cast<off_t>(done));
    done += n;
    progress.advance(done);
  }
}

// The data segments of a sparse file (SEEK_DATA / SEEK_HOLE), each copied in the kernel at its
// own offset; the holes stay holes and the size is set at the end. Empty when the source's
// filesystem cannot say where its holes are (the caller copies everything).
std::optional<std::uint64_t> copy_sparse(int in, int out, std::uint64_t size, const FileCopyOptions& o,
                                         const fs::path& dst, ProgressReporter& progress) {
  std::uint64_t at = 0;
  while (at < size) {
    o.cancel.throw_if_cancelled();
    off_t data = ::lseek(in, static_cast<off_t>(at), SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole is left
      if (at == 0) return std::nullopt;
      fail(errno, dst);
    }
    off_t hole = ::lseek(in, data, SEEK_HOLE);
    if (hole < 0) fail(errno, dst);
    auto end = std::min<std::uint64_t>(static_cast<std::uint64_t>(hole), size);
    for (loff_t off_in = data, off_out = data; static_cast<std::uint64_t>(off_in) < end;) {
      ssize_t n = ::copy_file_range(in, &off_in, out, &off_out, end - static_cast<std::uint64_t>(off_in), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && at == 0 && off_in == data && fast_path_unavailable(errno)) return std::nullopt;
      if (n < 0) fail(errno, dst);
      if (n == 0) return static_cast<std::uint64_t>(off_in);  // the source shrank meanwhile
      progress.advance(static_cast<std::uint64_t>(off_in));
    }
    at = end;
  }
  if (::ftruncate(out, static_cast<off_t>(size)) != 0) fail(errno, dst);
  return size;
}

FileCopyResult copy_content(int in, int out, const struct stat& st, dev_t dst_dev, const FileCopyOptions& o,
                            const fs::path& src, const fs::path& dst, ProgressReporter& progress) {
  if (int err = take_injected_fault()) fail(err, dst);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0)  // possibly a pseudo-file that reports no size: read to the end
    return {copy_read_write(in, out, 0, o, src, dst, progress), ContentMethod::ReadWrite};

  if (!reflink_refused(dst_dev)) {
    if (::ioctl(out, FICLONE, in) == 0) return {size, ContentMethod::Reflink};
    if (!fast_path_unavailable(errno) && errno != EPERM) fail(errno, dst);
    remember_reflink_refused(dst_dev);
  }

  if (static_cast<std::uint64_t>(st.st_blocks) * 512 < size) {  // holes: keep them, as cp does
    if (auto copied = copy_sparse(in, out, size, o, dst, progress)) return {*copied, ContentMethod::CopyFileRange};
  }

  const std::size_t chunk = o.buffer_size;
  std::uint64_t done = 0;
  ContentMethod method = ContentMethod::CopyFileRange;
  while (done < size) {
    o.cancel.throw_if_cancelled();
    loff_t off_in = static_cast<loff_t>(done), off_out = static_cast<loff_t>(done);
    ssize_t n = ::copy_file_range(in, &off_in, out, &off_out, std::min<std::uint64_t>(chunk, size - done), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (done == 0 && fast_path_unavailable(errno)) {
        method = ContentMethod::Sendfile;
        break;
      }
      fail(errno, dst);
    }
    if (n == 0) return {done, method};  // the source shrank meanwhile
    done += static_cast<std::uint64_t>(n);
    progress.advance(done);
  }
  if (method == ContentMethod::CopyFileRange) return {done, method};

  while (done < size) {
    o.cancel.throw_if_cancelled();
    off_t offset = static_cast<off_t>(done);
    if (::lseek(out, offset, SEEK_SET) < 0) fail(errno, dst);
    ssize_t n = ::sendfile(out, in, &offset, std::min<std::uint64_t>(chunk, size - done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (done == 0 && fast_path_unavailable(errno)) {
        return {copy_read_write(in, out, 0, o, src, dst, progress), ContentMethod::ReadWrite};
      }
      fail(errno, dst);
    }
    if (n == 0) break;
    done += static_cast<std::uint64_t>(n);
    progress.advance(done);
  }
  return {done, ContentMethod::Sendfile};
}

}  // namespace

void inject_write_faults(int sys_errno, int count) noexcept {
  g_fault_errno.store(sys_errno);
  g_fault_count.store(sys_errno == 0 ? 0 : count);
}

fs::path destination_in(const fs::path& src, const fs::path& dst) {
  struct stat st;
  if (::stat(dst.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return dst / src.filename();
  return dst;
}

void replace_with_symlink(const std::string& link_target, const fs::path& target, const fs::path& metadata_from,
                          Metadata metadata) {
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  for (int attempt = 0; attempt < 64; ++attempt) {
    fs::path temp = dir / temporary_name();
    if (::symlink(link_target.c_str(), temp.c_str()) != 0) {
      if (errno == EEXIST) continue;
      fail(errno, target);
    }
    if (metadata == Metadata::All) {
      struct stat st;
      if (::lstat(metadata_from.c_str(), &st) == 0) {
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        ::utimensat(AT_FDCWD, temp.c_str(), times, AT_SYMLINK_NOFOLLOW);
      }
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      int err = errno;
      ::unlink(temp.c_str());
      fail(err, target);
    }
    return;
  }
  fail(EEXIST, target);
}

FileCopyResult copy_file(const fs::path& src, const fs::path& dst, const FileCopyOptions& o) {
  o.cancel.throw_if_cancelled();
  if (!o.follow_symlinks) {
    struct stat lst;
    if (::lstat(src.c_str(), &lst) != 0) fail(errno, src);
    if (S_ISLNK(lst.st_mode)) {
      std::vector<char> buf(static_cast<std::size_t>(lst.st_size > 0 ? lst.st_size : 255) + 1);
      ssize_t n = ::readlink(src.c_str(), buf.data(), buf.size());
      if (n < 0) fail(errno, src);
      replace_with_symlink(std::string(buf.data(), static_cast<std::size_t>(n)), dst, src, o.metadata);
      return {};
    }
  }

  struct stat st;
  UniqueFd in = open_source(src, st);

  fs::path target = dst;
  bool replacing = false;
  struct stat dst_st {};
  if (!o.destination_absent) {
    if (existing_destination(src, st, dst, dst_st)) {
      if (::faccessat(AT_FDCWD, dst.c_str(), W_OK, AT_EACCESS) != 0) fail(errno, dst);
      replacing = true;
    }
    // shutil writes through a symlink at dst (to its target, even a dangling one).
    struct stat lst;
    if (::lstat(dst.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      std::error_code ec;
      fs::path resolved = fs::weakly_canonical(dst, ec);
      if (ec) fail(ec.value(), dst);
      target = resolved;
    }
  }

  TemporaryFile temp(target);
  ProgressReporter progress(o.progress, o.progress_name.empty() ? src.string() : o.progress_name,
                            static_cast<std::uint64_t>(st.st_size));
  struct stat temp_st;
  if (::fstat(temp.fd(), &temp_st) != 0) fail(errno, dst);
  FileCopyResult result = copy_content(in.get(), temp.fd(), st, temp_st.st_dev, o, src, dst, progress);
  if (o.metadata == Metadata::None && replacing && ::fchmod(temp.fd(), dst_st.st_mode & 07777) != 0)
    fail(errno, dst);  // copyfile over an existing file keeps that file's mode, as shutil's does
  apply_metadata(in.get(), temp.fd(), st, o.metadata, dst);
  temp.publish();
  progress.finish(result.bytes);
  return result;
}

}  // namespace gitfleet::copy
