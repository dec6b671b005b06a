#include "gitfleet/core/error.hpp"

#include <cerrno>
#include <cstring>

namespace gitfleet {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::NotARepository: return "NotARepository";
    case ErrorCode::RevisionNotFound: return "RevisionNotFound";
    case ErrorCode::ObjectError: return "ObjectError";
    case ErrorCode::NotFound: return "NotFound";
    case ErrorCode::PermissionDenied: return "PermissionDenied";
    case ErrorCode::AlreadyExists: return "AlreadyExists";
    case ErrorCode::IsADirectory: return "IsADirectory";
    case ErrorCode::NotADirectory: return "NotADirectory";
    case ErrorCode::NoSpace: return "NoSpace";
    case ErrorCode::Io: return "Io";
    case ErrorCode::SameFile: return "SameFile";
    case ErrorCode::SpecialFile: return "SpecialFile";
    case ErrorCode::CloneFailed: return "CloneFailed";
    case ErrorCode::Network: return "Network";
    case ErrorCode::Protocol: return "Protocol";
    case ErrorCode::AuthenticationFailed: return "AuthenticationFailed";
    case ErrorCode::Refused: return "Refused";
    case ErrorCode::Cancelled: return "Cancelled";
    case ErrorCode::Internal: return "Internal";
  }
  return "Internal";
}

Error Error::from_errno(int sys_errno, const std::string& path, const std::string& path2) {
  ErrorCode code = ErrorCode::Io;
  switch (sys_errno) {
    case ENOENT: code = ErrorCode::NotFound; break;
    case EACCES: case EPERM: code = ErrorCode::PermissionDenied; break;
    case EEXIST: code = ErrorCode::AlreadyExists; break;
    case EISDIR: code = ErrorCode::IsADirectory; break;
    case ENOTDIR: code = ErrorCode::NotADirectory; break;
    case ENOSPC: case EDQUOT: code = ErrorCode::NoSpace; break;
    default: break;
  }
  return Error(code, sys_errno, std::strerror(sys_errno), path, path2);
}

}  // namespace gitfleet
