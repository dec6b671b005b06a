// py_eacopy's native layer: the copy engine's Config, options and results, each operation
// bound twice (blocking with the GIL released, and started as a native job whose completion
// reaches asyncio through a callback), and CopyError translated into Python's OSError family.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "gitfleet/copy/eacopy.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using namespace gitfleet::copy;

// Leaked on purpose, like the GitFleet error factory: native threads may raise at exit.
nb::object* g_copy_error_factory = nullptr;

nb::object copy_exception_for(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const CopyError& e) {
    if (g_copy_error_factory && g_copy_error_factory->is_valid())
      return (*g_copy_error_factory)(copy_errc_name(e.errc()), e.sys_errno(), e.what(), e.path(), e.path2());
    return nb::steal(PyObject_CallFunction(PyExc_OSError, "s", e.what()));
  } catch (...) {
    return python_exception_for(error);
  }
}

// Binds `name` (blocking, GIL released) and `start_<name>` (a native job reporting to
// on_done) for fn(args..., const CancellationToken*).
template <class... Args, class Fn, class... Extra>
void def_operation(nb::module_& m, const char* name, Fn fn, const Extra&... extra) {
  m.def(name,
        [fn](Args... args) {
          nb::gil_scoped_release release;
          const CancellationToken* no_cancel = nullptr;
          return fn(args..., no_cancel);
        },
        extra...);
  m.def(("start_" + std::string(name)).c_str(),
        [fn](Args... args, nb::callable on_done) {
          return start_job([fn, args...](const CancellationToken& c) { return fn(args..., &c); }, std::move(on_done),
                           copy_exception_for);
        },
        extra..., nb::arg("on_done"));
}

}  // namespace

void bind_copy(nb::module_& m) {
  m.def("set_error_factory", [](nb::callable factory) {
    if (!g_copy_error_factory) g_copy_error_factory = new nb::object();
    *g_copy_error_factory = std::move(factory);
  });
  register_exception_translator<CopyError>(copy_exception_for);

  nb::enum_<ErrorStrategy>(m, "ErrorStrategy")
      .value("RAISE", ErrorStrategy::Raise)
      .value("RETRY", ErrorStrategy::Retry)
      .value("IGNORE", ErrorStrategy::Ignore);

  nb::class_<Config>(m, "Config")
      .def(nb::init<>())
      .def_rw("thread_count", &Config::thread_count)
      .def_rw("compression_level", &Config::compression_level)
      .def_rw("buffer_size", &Config::buffer_size)
      .def_rw("error_strategy", &Config::error_strategy)
      .def_rw("retry_count", &Config::retry_count)
      .def_rw("retry_delay", &Config::retry_delay)
      .def_rw("preserve_metadata", &Config::preserve_metadata)
      .def_rw("follow_symlinks", &Config::follow_symlinks)
      .def("set_progress_callback", [](Config& c, std::optional<nb::callable> fn) {
        if (!fn) {
          c.progress_callback = nullptr;
          return;
        }
        auto callback = std::make_shared<PythonCallback>(std::move(*fn));
        c.progress_callback = [callback](std::uint64_t done, std::uint64_t total, const std::string& name) {
          callback->call([&] { return std::make_tuple(done, total, nb::str(name.data(), name.size())); });
        };
      }, nb::arg("callback").none())
      .def("validate", &Config::validate);

  nb::class_<TreeCopyOptions>(m, "TreeCopyOptions")
      .def(nb::init<>())
      .def_rw("symlinks", &TreeCopyOptions::symlinks)
      .def_rw("ignore_dangling_symlinks", &TreeCopyOptions::ignore_dangling_symlinks)
      .def_rw("dirs_exist_ok", &TreeCopyOptions::dirs_exist_ok)
      .def_rw("skip_unchanged", &TreeCopyOptions::skip_unchanged)
      .def_rw("mirror", &TreeCopyOptions::mirror)
      .def_rw("include", &TreeCopyOptions::include)
      .def_rw("exclude", &TreeCopyOptions::exclude)
      .def_rw("files", &TreeCopyOptions::files, nb::arg().none());

  nb::class_<CopySummary>(m, "CopySummary")
      .def_ro("files_total", &CopySummary::files_total)
      .def_ro("files_copied", &CopySummary::files_copied)
      .def_ro("files_skipped", &CopySummary::files_skipped)
      .def_ro("files_failed", &CopySummary::files_failed)
      .def_ro("bytes_total", &CopySummary::bytes_total)
      .def_ro("bytes_copied", &CopySummary::bytes_copied)
      .def_ro("bytes_skipped", &CopySummary::bytes_skipped)
      .def_ro("dirs_created", &CopySummary::dirs_created)
      .def_ro("entries_purged", &CopySummary::entries_purged)
      .def_ro("retries", &CopySummary::retries)
      .def_ro("seconds", &CopySummary::seconds)
      .def_prop_ro("failures", [](const CopySummary& s) {
        nb::list out;
        for (const auto& f : s.failures) out.append(nb::make_tuple(f.path, f.message, f.sys_errno));
        return out;
      });

  nb::class_<DeltaStats>(m, "DeltaStats")
      .def_ro("bytes_total", &DeltaStats::bytes_total)
      .def_ro("bytes_matched", &DeltaStats::bytes_matched)
      .def_ro("bytes_literal", &DeltaStats::bytes_literal);

  using S = std::string;
  def_operation<Config, S, S>(
      m, "copyfile", [](const Config& c, const S& s, const S& d, auto* t) { return EACopy(c).copyfile(s, d, t).string(); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, S, S>(
      m, "copy", [](const Config& c, const S& s, const S& d, auto* t) { return EACopy(c).copy(s, d, t).string(); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, S, S>(
      m, "copy2", [](const Config& c, const S& s, const S& d, auto* t) { return EACopy(c).copy2(s, d, t).string(); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, S, S, TreeCopyOptions>(
      m, "copytree",
      [](const Config& c, const S& s, const S& d, const TreeCopyOptions& o, auto* t) {
        return EACopy(c).copytree(s, d, o, t);
      },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"), nb::arg("options"));
  def_operation<Config, PathPairs>(
      m, "batch_copy", [](const Config& c, const PathPairs& p, auto* t) { return EACopy(c).batch_copy(p, t); },
      nb::arg("config"), nb::arg("pairs"));
  def_operation<Config, PathPairs>(
      m, "batch_copy2", [](const Config& c, const PathPairs& p, auto* t) { return EACopy(c).batch_copy2(p, t); },
      nb::arg("config"), nb::arg("pairs"));
  def_operation<Config, PathPairs, TreeCopyOptions>(
      m, "batch_copytree",
      [](const Config& c, const PathPairs& p, const TreeCopyOptions& o, auto* t) {
        return EACopy(c).batch_copytree(p, o, t);
      },
      nb::arg("config"), nb::arg("pairs"), nb::arg("options"));
  def_operation<Config, S, S, S>(
      m, "delta_copy",
      [](const Config& c, const S& s, const S& d, const S& r, auto* t) { return EACopy(c).delta_copy(s, d, r, t); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"), nb::arg("reference"));

  m.def("inject_write_faults", &inject_write_faults, nb::arg("errno"), nb::arg("count"),
        "Test hook: the next `count` file writes fail with `errno` (0 clears).");
}

}  // namespace gitfleet::bindings
