#include "gitfleet/core/error.hpp"

namespace gitfleet {

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::InvalidArgument: return "InvalidArgument";
    case ErrorCode::NotARepository: return "NotARepository";
    case ErrorCode::RevisionNotFound: return "RevisionNotFound";
    case ErrorCode::ObjectError: return "ObjectError";
    case ErrorCode::Io: return "Io";
    case ErrorCode::CloneFailed: return "CloneFailed";
    case ErrorCode::Cancelled: return "Cancelled";
    case ErrorCode::Internal: return "Internal";
  }
  return "Internal";
}

}  // namespace gitfleet
