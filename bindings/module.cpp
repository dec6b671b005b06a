#include <nanobind/nanobind.h>

#include "gitfleet/core/job_runner.hpp"
#include "gitfleet/core/thread_pool.hpp"
#include "arrow_batch.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
void bind_history(nb::module_& m);
void bind_clone(nb::module_& m);
void bind_blame(nb::module_& m);
void bind_mailmap(nb::module_& m);
}

NB_MODULE(_native, m) {
  using namespace gitfleet::bindings;
  m.doc() = "GitFleet's native core (C++). Use the GitFleet package, not this module.";
  bind_error_contract(m);
  m.def("shutdown", &shutdown_native_jobs, "Called at interpreter exit: stops native jobs.");
  m.def("cpu_threads", [] { return gitfleet::ThreadPool::shared().size(); });
  m.def("active_jobs", [] { return gitfleet::JobRunner::shared().active_jobs(); });
  nb::class_<NativeRun>(m, "NativeRun").def("cancel", &NativeRun::cancel);
  bind_arrow_batch(m);
  bind_history(m);
  bind_clone(m);
  bind_blame(m);
  bind_mailmap(m);
}
