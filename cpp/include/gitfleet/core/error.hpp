#pragma once
// The one error type of the core, for every engine (git, copy, http): a code callers can switch
// on, the operating system's errno when a system call failed, and the paths involved. Each code
// maps to one documented Python exception per package (GitFleet/exceptions.py,
// py_eacopy/errors.py); bindings turn it into Python in one place (python_bridge).
#include <stdexcept>
#include <string>

namespace gitfleet {

enum class ErrorCode {
  InvalidArgument,       // a caller passed something unusable (names the argument)
  NotARepository,        // the path does not hold a git repository
  RevisionNotFound,      // a revision does not resolve to a commit
  ObjectError,           // a git object is missing or unreadable (names the object)
  NotFound,              // ENOENT
  PermissionDenied,      // EACCES / EPERM
  AlreadyExists,         // EEXIST (e.g. copytree without dirs_exist_ok)
  IsADirectory,          // EISDIR
  NotADirectory,         // ENOTDIR
  NoSpace,               // ENOSPC / EDQUOT
  Io,                    // any other operating-system failure (errno says which, when known)
  SameFile,              // a copy's source and destination are the same file
  SpecialFile,           // a named pipe, socket or device where a regular file was expected
  CloneFailed,           // a clone could not even be attempted (e.g. no git executable)
  Network,               // a server could not be reached, or the connection failed
  Protocol,              // a peer broke the wire protocol (a malformed or unexpected frame)
  AuthenticationFailed,  // a server refused the credentials
  Refused,               // a server refused a request (path outside its root, busy, ...)
  Cancelled,             // the caller cancelled the operation
  Internal,              // a bug: should never be seen
};

const char* error_code_name(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : Error(code, 0, message) {}
  Error(ErrorCode code, int sys_errno, const std::string& message, std::string path = {}, std::string path2 = {})
      : std::runtime_error(message), code_(code), errno_(sys_errno), path_(std::move(path)),
        path2_(std::move(path2)) {}

  // The error for a failed system call: the code follows errno, the message is strerror's.
  static Error from_errno(int sys_errno, const std::string& path, const std::string& path2 = {});

  ErrorCode code() const noexcept { return code_; }
  int sys_errno() const noexcept { return errno_; }  // 0 when no system call failed
  const std::string& path() const noexcept { return path_; }
  const std::string& path2() const noexcept { return path2_; }

 private:
  ErrorCode code_;
  int errno_;
  std::string path_;
  std::string path2_;
};

}  // namespace gitfleet
