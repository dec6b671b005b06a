#include "python_bridge.hpp"

#include <nanobind/stl/string.h>

#include <atomic>

#include "gitfleet/core/error.hpp"
#include "gitfleet/core/job_runner.hpp"

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

void set_error_factory(nb::callable factory) {
  if (!g_error_factory) g_error_factory = new nb::object();
  *g_error_factory = std::move(factory);
}

nb::object python_exception_for(std::exception_ptr error) {
  const char* code = "Internal";
  std::string message = "unknown native error";
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    code = error_code_name(e.code());
    message = e.what();
  } catch (const std::bad_alloc&) {
    message = "out of memory";
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  if (!g_error_factory || !g_error_factory->is_valid())
    return nb::steal(PyObject_CallFunction(PyExc_RuntimeError, "s", message.c_str()));
  return (*g_error_factory)(code, message);
}


PythonRef::~PythonRef() {
  if (!python_alive()) return;  // leak rather than touch a finalizing interpreter
  nb::gil_scoped_acquire gil;
  delete obj_;
}

}  // namespace gitfleet::bindings
