#pragma once
// File names cross the boundary as CPython passes them to the OS: a path argument may be a
// str (encoded with the filesystem encoding and surrogateescape, so a name that came out of
// os.listdir or out of GitFleet goes back in unchanged), bytes or an os.PathLike; a path
// returned is a str decoded the same way (os.fsencode gives the original bytes back). git
// stores names as bytes, so every name survives the round trip whatever its encoding.
#include <nanobind/nanobind.h>

#include <string>
#include <string_view>
#include <utility>

namespace gitfleet::bindings {

struct FsPath {
  std::string bytes;
  FsPath() = default;
  explicit FsPath(std::string b) : bytes(std::move(b)) {}
  operator const std::string&() const noexcept { return bytes; }
};

// A name from the native side as Python's os functions would return it for a str argument.
inline nanobind::object fs_str(std::string_view name) {
  return nanobind::steal(PyUnicode_DecodeFSDefaultAndSize(name.data(), static_cast<Py_ssize_t>(name.size())));
}

}  // namespace gitfleet::bindings

NAMESPACE_BEGIN(NB_NAMESPACE)
NAMESPACE_BEGIN(detail)

template <>
struct type_caster<gitfleet::bindings::FsPath> {
  NB_TYPE_CASTER(gitfleet::bindings::FsPath, const_name("str | bytes | os.PathLike"))

  // PyUnicode_FSConverter is what os.open uses: str, bytes or PathLike, NUL bytes refused (the
  // Python layers check NUL first to raise a ValueError naming the argument).
  bool from_python(handle src, uint32_t, cleanup_list*) noexcept {
    PyObject* converted = nullptr;
    if (!PyUnicode_FSConverter(src.ptr(), &converted)) {
      PyErr_Clear();
      return false;
    }
    value.bytes.assign(PyBytes_AS_STRING(converted), static_cast<std::size_t>(PyBytes_GET_SIZE(converted)));
    Py_DECREF(converted);
    return true;
  }

  static handle from_cpp(const gitfleet::bindings::FsPath& value, rv_policy, cleanup_list*) noexcept {
    return gitfleet::bindings::fs_str(value.bytes).release();
  }
};

NAMESPACE_END(detail)
NAMESPACE_END(NB_NAMESPACE)
