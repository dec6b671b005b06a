#pragma once
// How native threads talk back to Python: callables that are safe to call and to drop from
// any thread (they take the GIL), and the one place native errors become Python exceptions.
#include <nanobind/nanobind.h>

#include <exception>
#include <memory>
#include <utility>

#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::bindings {

namespace nb = nanobind;

// False once the interpreter is shutting down: from then on native threads leave Python alone.
bool python_alive() noexcept;
void mark_python_shutting_down() noexcept;

// At interpreter exit: cancels the module's native jobs, waits for them, and from then on
// native threads leave Python alone.
void shutdown_native_jobs();

// The handle of a started native job: Python cancels the work through it.
struct NativeRun {
  CancellationToken token;
  void cancel() const { token.cancel(); }
};

// The Python exception for a native failure, built by the factory the Python package
// installed (GitFleet.exceptions.from_native). Call with the GIL held.
nb::object python_exception_for(std::exception_ptr error);
void set_error_factory(nb::callable factory);

// Translates a native exception escaping a synchronous binding into the mapped Python one.
void register_exception_translator();

// A reference to a Python object owned by native code, safe to drop from any thread: it
// takes the GIL to release the object, and after interpreter shutdown deliberately leaks it.
class PythonRef {
 public:
  explicit PythonRef(nb::object obj) : obj_(new nb::object(std::move(obj))) {}
  ~PythonRef();
  PythonRef(const PythonRef&) = delete;
  PythonRef& operator=(const PythonRef&) = delete;
  nb::object& get() { return *obj_; }

 private:
  nb::object* obj_;
};

// A Python callable that native threads may call: calls take the GIL.
class PythonCallback {
 public:
  explicit PythonCallback(nb::callable fn) : fn_(std::move(fn)) {}

  // Calls fn(args...) with the GIL; `make_args` runs under the GIL too (it builds Python
  // objects). A Python exception raised by fn is reported as unraisable, never propagated
  // into native code.
  template <class MakeArgs>
  void call(MakeArgs&& make_args) {
    if (!python_alive()) return;
    nb::gil_scoped_acquire gil;
    try {
      auto args = make_args();
      std::apply([this](auto&&... a) { fn_.get()(std::forward<decltype(a)>(a)...); }, std::move(args));
    } catch (nb::python_error& e) {
      e.discard_as_unraisable(__func__);
    }
  }

 private:
  PythonRef fn_;
};

}  // namespace gitfleet::bindings
