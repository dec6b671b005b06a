#pragma once
// How native threads talk back to Python: callables that are safe to call and to drop from
// any thread (they take the GIL), and the one place native errors become Python exceptions.
#include <nanobind/nanobind.h>

#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "gitfleet/core/cancellation.hpp"
#include "gitfleet/core/job_runner.hpp"

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

// The Python exception for a native failure: gitfleet::Error's fields go to the factory the
// Python package installed (factory(code name, errno, message, path, path2): GitFleet's and
// py_eacopy's from_native); anything else is an Internal error. Call with the GIL held.
nb::object python_exception_for(std::exception_ptr error);

// The error contract of a native module: `set_error_factory(factory)`, and gitfleet::Error
// escaping a blocking binding raised through the factory.
void bind_error_contract(nb::module_& m);

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

// The Python object for a job's result: nb::cast unless a binding says otherwise.
struct CastResult {
  template <class T>
  nb::object operator()(T&& value) const {
    return nb::cast(std::forward<T>(value));
  }
};

// Runs fn(cancel) as a native job (GIL released); when it ends, on_done(to_python(result), None)
// or on_done(None, exception) is called with the GIL (result None when fn returns void).
template <class Fn, class ToPython = CastResult>
NativeRun start_job(Fn fn, nb::callable on_done, ToPython to_python = {}) {
  auto callback = std::make_shared<PythonCallback>(std::move(on_done));
  CancellationToken token =
      JobRunner::shared().start([fn = std::move(fn), callback, to_python](const CancellationToken& cancel) {
        using Result = decltype(fn(cancel));
        std::optional<std::conditional_t<std::is_void_v<Result>, bool, Result>> result;
        std::exception_ptr error;
        try {
          if constexpr (std::is_void_v<Result>) {
            fn(cancel);
            result.emplace(true);
          } else {
            result.emplace(fn(cancel));
          }
        } catch (...) {
          error = std::current_exception();
        }
        callback->call([&] {
          if (error) return std::tuple<nb::object, nb::object>(nb::none(), python_exception_for(error));
          if constexpr (std::is_void_v<Result>)
            return std::tuple<nb::object, nb::object>(nb::none(), nb::none());
          else
            return std::tuple<nb::object, nb::object>(to_python(std::move(*result)), nb::none());
        });
      });
  return NativeRun{token};
}

// Binds an operation fn(args..., const CancellationToken&) both ways: `name` blocks (the GIL
// released, never cancelled) and `start_<name>` runs it as a native job reporting to on_done.
template <class... Args, class Fn, class... Extra>
void def_operation(nb::module_& m, const char* name, Fn fn, const Extra&... extra) {
  m.def(name,
        [fn](Args... args) {
          nb::gil_scoped_release release;
          return fn(args..., CancellationToken());
        },
        extra...);
  m.def(("start_" + std::string(name)).c_str(),
        [fn](Args... args, nb::callable on_done) {
          return start_job([fn, args...](const CancellationToken& c) { return fn(args..., c); }, std::move(on_done));
        },
        extra..., nb::arg("on_done"));
}

}  // namespace gitfleet::bindings
