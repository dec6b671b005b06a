#include "gitfleet/copy/config.hpp"

#include "gitfleet/core/error.hpp"

namespace gitfleet::copy {

const char* file_outcome_name(FileOutcome outcome) noexcept {
  switch (outcome) {
    case FileOutcome::Copied: return "copied";
    case FileOutcome::Linked: return "linked";
    case FileOutcome::Skipped: return "skipped";
    case FileOutcome::Delta: return "delta";
    case FileOutcome::Failed: return "failed";
  }
  return "?";
}

void Config::validate() const {
  auto bad = [](const std::string& what) {
    throw Error(ErrorCode::InvalidArgument, 0, what);
  };
  if (thread_count < 1 || thread_count > 256) bad("thread_count must be between 1 and 256");
  if (compression_level < -1 || compression_level > 22) bad("compression_level must be between -1 (off) and 22");
  if (buffer_size < 4096 || buffer_size > (1u << 30)) bad("buffer_size must be between 4 KiB and 1 GiB");
  if (retry_count > 100) bad("retry_count must be at most 100");
  if (!(retry_delay >= 0.0 && retry_delay <= 3600.0)) bad("retry_delay must be between 0 and 3600 seconds");
}

}  // namespace gitfleet::copy
