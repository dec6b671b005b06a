#pragma once
// The copy engine's error: a kind callers can switch on, the operating system's errno when
// there is one, and the paths involved. The Python layer turns it into the built-in OSError
// subclass shutil would raise (FileNotFoundError, PermissionError, ...).
#include <stdexcept>
#include <string>

namespace gitfleet::copy {

enum class CopyErrc {
  NotFound,          // ENOENT
  PermissionDenied,  // EACCES / EPERM
  AlreadyExists,     // EEXIST (e.g. copytree without dirs_exist_ok)
  IsADirectory,      // EISDIR
  NotADirectory,     // ENOTDIR
  SameFile,          // source and destination are the same file
  SpecialFile,       // a named pipe, socket or device where a regular file was expected
  NoSpace,           // ENOSPC / EDQUOT
  InvalidArgument,   // a caller passed something unusable (names the argument)
  Io,                // any other operating-system failure (errno says which)
  Cancelled,         // the caller cancelled the operation
  Network,           // a copy server could not be reached or broke the protocol
  AuthenticationFailed,  // a copy server refused the shared secret
  Refused,           // a copy server refused a request (path outside its root, busy, ...)
};

const char* copy_errc_name(CopyErrc errc) noexcept;

class CopyError : public std::runtime_error {
 public:
  CopyError(CopyErrc errc, int sys_errno, const std::string& message, std::string path = {},
            std::string path2 = {})
      : std::runtime_error(message), errc_(errc), errno_(sys_errno), path_(std::move(path)),
        path2_(std::move(path2)) {}

  // The error for a failed system call: the kind follows errno, the message is strerror's.
  static CopyError from_errno(int sys_errno, const std::string& path, const std::string& path2 = {});

  CopyErrc errc() const noexcept { return errc_; }
  int sys_errno() const noexcept { return errno_; }  // 0 when no system call failed
  const std::string& path() const noexcept { return path_; }
  const std::string& path2() const noexcept { return path2_; }

 private:
  CopyErrc errc_;
  int errno_;
  std::string path_;
  std::string path2_;
};

}  // namespace gitfleet::copy
