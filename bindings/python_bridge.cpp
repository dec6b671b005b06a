#include "python_bridge.hpp"

#include <nanobind/stl/string.h>

#include <atomic>

#include "gitfleet/core/error.hpp"
#include "gitfleet/core/job_runner.hpp"
#include "fs_path.hpp"

namespace gitfleet::bindings {
namespace {

std::atomic<bool> g_alive{true};
// Leaked on purpose: it must outlive every native thread that may still raise.
nb::object* g_error_factory = nullptr;

}  // namespace

bool python_alive() noexcept { return g_alive.load(); }
void mark_python_shutting_down() noexcept { g_alive.store(false); }

void shutdown_native_jobs() {
  {
    nb::gil_scoped_release release;
    JobRunner::shared().cancel_all_and_wait();
  }
  mark_python_shutting_down();
}

nb::object python_exception_for(std::exception_ptr error) {
  ErrorCode code = ErrorCode::Internal;
  int sys_errno = 0;
  std::string message = "unknown native error", path, path2;
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    code = e.code();
    sys_errno = e.sys_errno();
    message = e.what();
    path = e.path();
    path2 = e.path2();
  } catch (const std::bad_alloc&) {
    message = "out of memory";
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  if (!g_error_factory || !g_error_factory->is_valid())
    return nb::steal(PyObject_CallFunction(PyExc_RuntimeError, "s", message.c_str()));
  return (*g_error_factory)(error_code_name(code), sys_errno, message, fs_str(path), fs_str(path2));
}

void bind_error_contract(nb::module_& m) {
  m.def("set_error_factory", [](nb::callable factory) {
    if (!g_error_factory) g_error_factory = new nb::object();
    *g_error_factory = std::move(factory);
  }, nb::arg("factory"));
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const Error&) {
      nb::object exc = python_exception_for(p);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    }
  });
}


PythonRef::~PythonRef() {
  if (!python_alive()) return;  // leak rather than touch a finalizing interpreter
  nb::gil_scoped_acquire gil;
  delete obj_;
}

}  // namespace gitfleet::bindings
