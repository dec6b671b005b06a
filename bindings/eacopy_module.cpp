#include <nanobind/nanobind.h>

#include "python_bridge.hpp"

namespace gitfleet::bindings {
void bind_copy(nb::module_& m);
}

NB_MODULE(_eacopy, m) {
  using namespace gitfleet::bindings;
  m.doc() = "py_eacopy's native copy engine (C++). Use the py_eacopy package, not this module.";
  bind_error_contract(m);
  m.def("shutdown", &shutdown_native_jobs, "Called at interpreter exit: stops native jobs.");
  nb::class_<NativeRun>(m, "NativeRun").def("cancel", &NativeRun::cancel);
  bind_copy(m);
}
