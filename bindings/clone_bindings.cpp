// Fleet cloning: the native fleet, its task snapshots, and runs completed through callbacks.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "gitfleet/core/job_runner.hpp"
#include "gitfleet/git/clone.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using git::CloneFleet;
using git::CloneState;
using git::FleetSettings;

const char* state_name(CloneState s) {
  switch (s) {
    case CloneState::Queued: return "queued";
    case CloneState::Cloning: return "cloning";
    case CloneState::Completed: return "completed";
    case CloneState::Failed: return "failed";
  }
  return "failed";
}

}  // namespace

void bind_clone(nb::module_& m) {
  nb::class_<FleetSettings>(m, "FleetSettings")
      .def(nb::init<>())
      .def_rw("max_concurrency", &FleetSettings::max_concurrency)
      .def_rw("dest_root", &FleetSettings::dest_root)
      .def_prop_rw("depth", [](const FleetSettings& s) { return s.clone.depth; },
                   [](FleetSettings& s, std::optional<int> v) { s.clone.depth = v; }, nb::arg().none())
      .def_prop_rw("branch", [](const FleetSettings& s) { return s.clone.branch; },
                   [](FleetSettings& s, std::string v) { s.clone.branch = std::move(v); })
      .def_prop_rw("single_branch", [](const FleetSettings& s) { return s.clone.single_branch; },
                   [](FleetSettings& s, bool v) { s.clone.single_branch = v; })
      .def_prop_rw("filter", [](const FleetSettings& s) { return s.clone.filter; },
                   [](FleetSettings& s, std::string v) { s.clone.filter = std::move(v); })
      .def_prop_rw("submodules", [](const FleetSettings& s) { return s.clone.submodules; },
                   [](FleetSettings& s, bool v) { s.clone.submodules = v; })
      .def_prop_rw("timeout_ms", [](const FleetSettings& s) { return s.timeout.count(); },
                   [](FleetSettings& s, std::int64_t v) { s.timeout = std::chrono::milliseconds(v); })
      .def_rw("retries", &FleetSettings::retries)
      .def_prop_rw("retry_backoff_ms", [](const FleetSettings& s) { return s.retry_backoff.count(); },
                   [](FleetSettings& s, std::int64_t v) { s.retry_backoff = std::chrono::milliseconds(v); })
      .def_rw("username", &FleetSettings::username)
      .def_prop_rw("token", [](const FleetSettings&) { return std::string(); },  // write-only secret
                   [](FleetSettings& s, std::string v) { s.token = std::move(v); });

  nb::class_<CloneFleet>(m, "CloneFleet")
      .def("__init__", [](CloneFleet* self, const FleetSettings& settings) { new (self) CloneFleet(settings); },
           nb::arg("settings"))
      .def("add", &CloneFleet::add, nb::arg("url"))
      .def("tasks", [](const CloneFleet& fleet) {
        // (url, state, progress, error, directory) per task: a cheap snapshot under a lock.
        nb::list out;
        for (const auto& t : fleet.tasks())
          out.append(nb::make_tuple(t.url, state_name(t.state), t.progress, t.error, t.directory));
        return out;
      })
      .def("failed_urls", [](const CloneFleet& fleet) { return fleet.urls_in_state(CloneState::Failed); })
      .def("queued_urls", [](const CloneFleet& fleet) { return fleet.urls_in_state(CloneState::Queued); })
      .def("start_run",
           [](nb::handle self, std::vector<std::string> urls, nb::callable on_done) {
             // The run keeps the fleet alive through a reference to its Python object, dropped
             // as soon as the run ends (before on_done): a manager gone once its await returns
             // takes its fleet, and its temporary clones, with it at once.
             auto owner = std::make_shared<std::unique_ptr<PythonRef>>(std::make_unique<PythonRef>(nb::borrow(self)));
             CloneFleet* fleet = nb::inst_ptr<CloneFleet>(self);
             return start_job([fleet, owner, urls = std::move(urls)](const CancellationToken& cancel) {
               struct Release {
                 std::unique_ptr<PythonRef>& ref;
                 ~Release() { ref.reset(); }
               } release{*owner};
               fleet->run(urls, cancel);
             }, std::move(on_done));
           },
           nb::arg("urls"), nb::arg("on_done"))
      .def("cleanup", [](CloneFleet& fleet) {
        std::vector<std::pair<std::string, std::string>> out;
        {
          nb::gil_scoped_release release;
          out = fleet.cleanup();
        }
        return out;
      });
  m.def("repository_name", [](const std::string& url) { return git::repository_name(url); }, nb::arg("url"),
        "The name a repository goes by: the last component of its URL or path, without .git.");
}

}  // namespace gitfleet::bindings
