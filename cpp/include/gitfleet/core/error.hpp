#pragma once
// The one error type of the core. Each code maps to one documented Python exception
// (see python/GitFleet/exceptions.py); C++ callers can switch on code().
#include <stdexcept>
#include <string>

namespace gitfleet {

enum class ErrorCode {
  InvalidArgument,  // a caller passed something unusable (names the argument)
  NotARepository,   // the path does not hold a git repository
  RevisionNotFound, // a revision does not resolve to a commit
  ObjectError,      // an object is missing or unreadable (names the object)
  Io,               // the operating system refused something
  CloneFailed,      // a clone could not even be attempted (e.g. no git executable)
  Cancelled,        // the caller cancelled the operation
  Internal,         // a bug: should never be seen
};

const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace gitfleet
