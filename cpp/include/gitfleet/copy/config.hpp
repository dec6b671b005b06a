#pragma once
// Settings of the copy engine, with a builder (Config{}.with_thread_count(8)...), and the
// callback types it reports through.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace gitfleet::copy {

// What happens when copying one file fails inside a batch or a tree.
enum class ErrorStrategy {
  Raise,   // stop and report the error
  Retry,   // try again retry_count times, retry_delay seconds apart, then stop and report
  Ignore,  // record the failure in the summary and go on (single-file operations still raise)
};

enum class LogLevel { None, Error, Warning, Info, Debug };

// (copied_bytes, total_bytes, filename): at the start and end of every file, and between
// chunks of big files (throttled). Called from the copying threads. Through a copy server:
// once a file, when it is done (sent, linked or skipped), with copied_bytes == total_bytes.
using ProgressCallback = std::function<void(std::uint64_t, std::uint64_t, const std::string&)>;

// What became of one file (or directory) of a copy: one event per decision, for logs that
// follow every file (py_eacopy's LogLevel.DEBUG). Called from the copying threads.
enum class FileOutcome { Copied, Linked, Skipped, Delta, Failed };
const char* file_outcome_name(FileOutcome outcome) noexcept;  // "copied", "linked", ...
struct FileEvent {
  FileOutcome outcome;
  std::string path;  // as the summary names it
  std::uint64_t bytes = 0;
  std::string message;  // Failed: why
};
using FileEventCallback = std::function<void(const FileEvent&)>;

struct Config {
  unsigned thread_count = 4;
  int compression_level = 0;  // network transfers only: 0 self-balancing, -1 off, 1..22 zstd level
  std::size_t buffer_size = 8u << 20;
  ErrorStrategy error_strategy = ErrorStrategy::Raise;
  unsigned retry_count = 3;
  double retry_delay = 1.0;  // seconds
  LogLevel log_level = LogLevel::Warning;
  bool preserve_metadata = true;
  bool follow_symlinks = false;
  bool dirs_exist_ok = false;
  ProgressCallback progress_callback;
  FileEventCallback file_event_callback;

  Config& with_thread_count(unsigned v) { thread_count = v; return *this; }
  Config& with_compression_level(int v) { compression_level = v; return *this; }
  Config& with_buffer_size(std::size_t v) { buffer_size = v; return *this; }
  Config& with_error_strategy(ErrorStrategy v) { error_strategy = v; return *this; }
  Config& with_retry_count(unsigned v) { retry_count = v; return *this; }
  Config& with_retry_delay(double v) { retry_delay = v; return *this; }
  Config& with_log_level(LogLevel v) { log_level = v; return *this; }
  Config& with_preserve_metadata(bool v) { preserve_metadata = v; return *this; }
  Config& with_follow_symlinks(bool v) { follow_symlinks = v; return *this; }
  Config& with_dirs_exist_ok(bool v) { dirs_exist_ok = v; return *this; }
  Config& with_progress_callback(ProgressCallback v) { progress_callback = std::move(v); return *this; }
  Config& with_file_event_callback(FileEventCallback v) { file_event_callback = std::move(v); return *this; }

  // Throws Error(InvalidArgument) naming the first unusable setting.
  void validate() const;
};

}  // namespace gitfleet::copy
