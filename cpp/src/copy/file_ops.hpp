#pragma once
// Pieces shared by the copy engine's writers (private): errors from errno, the atomic
// temporary file, throttled progress, shutil.copystat's metadata step, cancellation.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/core/error.hpp"
#include "gitfleet/copy/file_copy.hpp"
#include "attempts.hpp"
#include "unique_fd.hpp"

namespace gitfleet::copy {

[[noreturn]] void fail(int err, const std::filesystem::path& path, const std::filesystem::path& path2 = {});

// The one write-everything loop: write_some(data, n) is write(2)'s contract (bytes written, or
// -1 and errno); short writes continue, EINTR retries, any other failure goes to
// on_error(errno), which throws.
template <class WriteSome, class OnError>
void write_fully(std::string_view bytes, WriteSome&& write_some, OnError&& on_error) {
  while (!bytes.empty()) {
    ssize_t n = write_some(bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      on_error(errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Writes all of `bytes` to a file at its position, or at `offset` when one is given; a failure
// is the Error for `name`.
void write_all(int fd, std::string_view bytes, const std::string& name, std::optional<off_t> offset = std::nullopt);

// Opens a file to copy from: it must be a regular file (IsADirectory and SpecialFile errors
// otherwise, as shutil's). Never blocks on a named pipe.
UniqueFd open_source(const std::filesystem::path& src, struct stat& st);

// Stats the destination of a copy of src: false when it does not exist; throws when it is a
// directory or src itself.
bool existing_destination(const std::filesystem::path& src, const struct stat& src_st,
                          const std::filesystem::path& dst, struct stat& dst_st);

// ".eacopy-<16 hex digits>.tmp": unique enough to create with O_EXCL, and of a fixed length,
// so that any name that fits NAME_MAX can be replaced.
std::string temporary_name();

// The file being written: unnamed (O_TMPFILE) or hidden until publish() gives it its final
// name in one step; destroyed unpublished, it leaves nothing behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target);
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  int fd() const { return fd_.get(); }
  void publish();

 private:
  std::filesystem::path target_;
  std::filesystem::path dir_;
  std::filesystem::path named_;
  UniqueFd fd_;
  bool published_ = false;
};

class ProgressReporter {
 public:
  ProgressReporter(const ProgressCallback* callback, const std::string& name, std::uint64_t total)
      : callback_(callback && *callback ? callback : nullptr), name_(name), total_(total) {
    last_ = std::chrono::steady_clock::now();
    if (callback_) (*callback_)(0, total_, name_);
  }
  void advance(std::uint64_t done) {
    if (!callback_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;  // big files: ~10 calls a second
    last_ = now;
    (*callback_)(done, total_, name_);
  }
  void finish(std::uint64_t done) {
    if (callback_) (*callback_)(done, total_, name_);
  }

 private:
  const ProgressCallback* callback_;
  std::string name_;
  std::uint64_t total_;
  std::chrono::steady_clock::time_point last_;
};

// Where a copy reports its per-file decisions (nothing when no callback is set).
class FileEvents {
 public:
  explicit FileEvents(const FileEventCallback* callback = nullptr)
      : callback_(callback && *callback ? callback : nullptr) {}
  void operator()(FileOutcome outcome, const std::string& path, std::uint64_t bytes,
                  const std::string& message = {}) const {
    if (callback_) (*callback_)(FileEvent{outcome, path, bytes, message});
  }

 private:
  const FileEventCallback* callback_;
};

// shutil.copystat on open files: extended attributes and times (All), mode (Mode and All).
void apply_metadata(int in, int out, const struct stat& st, Metadata metadata, const std::filesystem::path& dst);

}  // namespace gitfleet::copy
