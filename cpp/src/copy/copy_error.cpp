#include "gitfleet/copy/copy_error.hpp"

#include <cerrno>
#include <cstring>

#include "gitfleet/copy/config.hpp"

namespace gitfleet::copy {

const char* copy_errc_name(CopyErrc errc) noexcept {
  switch (errc) {
    case CopyErrc::NotFound: return "NotFound";
    case CopyErrc::PermissionDenied: return "PermissionDenied";
    case CopyErrc::AlreadyExists: return "AlreadyExists";
    case CopyErrc::IsADirectory: return "IsADirectory";
    case CopyErrc::NotADirectory: return "NotADirectory";
    case CopyErrc::SameFile: return "SameFile";
    case CopyErrc::SpecialFile: return "SpecialFile";
    case CopyErrc::NoSpace: return "NoSpace";
    case CopyErrc::InvalidArgument: return "InvalidArgument";
    case CopyErrc::Io: return "Io";
    case CopyErrc::Cancelled: return "Cancelled";
    case CopyErrc::Network: return "Network";
    case CopyErrc::AuthenticationFailed: return "AuthenticationFailed";
    case CopyErrc::Refused: return "Refused";
  }
  return "Io";
}

CopyError CopyError::from_errno(int sys_errno, const std::string& path, const std::string& path2) {
  CopyErrc errc = CopyErrc::Io;
  switch (sys_errno) {
    case ENOENT: errc = CopyErrc::NotFound; break;
    case EACCES: case EPERM: errc = CopyErrc::PermissionDenied; break;
    case EEXIST: errc = CopyErrc::AlreadyExists; break;
    case EISDIR: errc = CopyErrc::IsADirectory; break;
    case ENOTDIR: errc = CopyErrc::NotADirectory; break;
    case ENOSPC: case EDQUOT: errc = CopyErrc::NoSpace; break;
    default: break;
  }
  return CopyError(errc, sys_errno, std::strerror(sys_errno), path, path2);
}

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
    throw CopyError(CopyErrc::InvalidArgument, 0, what);
  };
  if (thread_count < 1 || thread_count > 256) bad("thread_count must be between 1 and 256");
  if (compression_level < -1 || compression_level > 22) bad("compression_level must be between -1 (off) and 22");
  if (buffer_size < 4096 || buffer_size > (1u << 30)) bad("buffer_size must be between 4 KiB and 1 GiB");
  if (retry_count > 100) bad("retry_count must be at most 100");
  if (!(retry_delay >= 0.0 && retry_delay <= 3600.0)) bad("retry_delay must be between 0 and 3600 seconds");
}

}  // namespace gitfleet::copy
