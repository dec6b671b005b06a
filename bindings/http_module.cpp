// GitFleet._http: the provider clients' native transport, an extension of its own so that the
// provider API loads libcurl and simdjson only, never libgit2 (GitFleet._native).
#include <nanobind/nanobind.h>

#include "python_bridge.hpp"

namespace gitfleet::bindings {
void bind_http(nb::module_& m);
}

NB_MODULE(_http, m) {
  using namespace gitfleet::bindings;
  m.doc() = "GitFleet's native HTTP transport (C++). Use GitFleet.providers, not this module.";
  bind_error_contract(m);
  // At exit: from then on the transport's thread leaves Python alone (callbacks are dropped).
  m.def("shutdown", &mark_python_shutting_down);
  bind_http(m);
}
