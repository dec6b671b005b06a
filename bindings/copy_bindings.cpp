// py_eacopy's native layer: the copy engine's Config, options and results, each operation
// bound twice (blocking with the GIL released, and started as a native job whose completion
// reaches asyncio through a callback); errors reach Python through the shared error contract.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "gitfleet/copy/copy_client.hpp"
#include "gitfleet/copy/copy_server.hpp"
#include "gitfleet/copy/eacopy.hpp"
#include "gitfleet/copy/protocol.hpp"
#include "fs_path.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using namespace gitfleet::copy;

double seconds_of(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

// Seconds from Python, checked before the conversion (1e300 s must not wrap to a negative).
std::chrono::milliseconds milliseconds_of(double seconds, const char* name) {
  constexpr double kMaxSeconds = 365.0 * 24 * 3600;
  if (!(seconds > 0) || seconds > kMaxSeconds)
    throw nb::value_error((std::string(name) + " must be more than 0 and at most a year of seconds, not " +
                           std::to_string(seconds)).c_str());
  return std::chrono::milliseconds(std::max<long>(1, static_cast<long>(seconds * 1000)));
}

// (src, dst) pairs with names of any bytes, as the engine takes them.
using PythonPathPairs = std::vector<std::pair<FsPath, FsPath>>;

PathPairs engine_pairs(const PythonPathPairs& pairs) {
  PathPairs out;
  out.reserve(pairs.size());
  for (const auto& [src, dst] : pairs) out.emplace_back(src.bytes, dst.bytes);
  return out;
}

}  // namespace

void bind_copy(nb::module_& m) {
  using S = std::string;
  using P = FsPath;  // every file name: str (surrogate escapes kept), bytes or os.PathLike
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
          callback->call([&] { return std::make_tuple(done, total, fs_str(name)); });
        };
      }, nb::arg("callback").none())
      .def("set_file_event_callback", [](Config& c, std::optional<nb::callable> fn) {
        if (!fn) {
          c.file_event_callback = nullptr;
          return;
        }
        auto callback = std::make_shared<PythonCallback>(std::move(*fn));
        c.file_event_callback = [callback](const FileEvent& e) {
          callback->call([&] { return std::make_tuple(file_outcome_name(e.outcome), fs_str(e.path), e.bytes, e.message); });
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
      .def_ro("files_linked", &CopySummary::files_linked)
      .def_ro("files_skipped", &CopySummary::files_skipped)
      .def_ro("files_failed", &CopySummary::files_failed)
      .def_ro("bytes_total", &CopySummary::bytes_total)
      .def_ro("bytes_copied", &CopySummary::bytes_copied)
      .def_ro("bytes_linked", &CopySummary::bytes_linked)
      .def_ro("bytes_skipped", &CopySummary::bytes_skipped)
      .def_ro("bytes_sent", &CopySummary::bytes_sent)
      .def_ro("compression_level", &CopySummary::compression_level)
      .def_ro("dirs_created", &CopySummary::dirs_created)
      .def_ro("dirs_failed", &CopySummary::dirs_failed)
      .def_ro("entries_purged", &CopySummary::entries_purged)
      .def_ro("retries", &CopySummary::retries)
      .def_ro("seconds", &CopySummary::seconds)
      .def_prop_ro("failures", [](const CopySummary& s) {
        nb::list out;
        for (const auto& f : s.failures) out.append(nb::make_tuple(fs_str(f.path), f.message, f.sys_errno));
        return out;
      });

  nb::class_<DeltaStats>(m, "DeltaStats")
      .def_ro("bytes_total", &DeltaStats::bytes_total)
      .def_ro("bytes_matched", &DeltaStats::bytes_matched)
      .def_ro("bytes_literal", &DeltaStats::bytes_literal);

  def_operation<Config, P, P>(
      m, "copyfile", [](const Config& c, const P& s, const P& d, const CancellationToken& t) { return P(EACopy(c).copyfile(s.bytes, d.bytes, t).string()); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, P, P>(
      m, "copy", [](const Config& c, const P& s, const P& d, const CancellationToken& t) { return P(EACopy(c).copy(s.bytes, d.bytes, t).string()); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, P, P>(
      m, "copy2", [](const Config& c, const P& s, const P& d, const CancellationToken& t) { return P(EACopy(c).copy2(s.bytes, d.bytes, t).string()); },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"));
  def_operation<Config, P, P, TreeCopyOptions>(
      m, "copytree",
      [](const Config& c, const P& s, const P& d, const TreeCopyOptions& o, const CancellationToken& t) {
        return EACopy(c).copytree(s.bytes, d.bytes, o, t);
      },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"), nb::arg("options"));
  def_operation<Config, PythonPathPairs>(
      m, "batch_copy",
      [](const Config& c, const PythonPathPairs& p, const CancellationToken& t) { return EACopy(c).batch_copy(engine_pairs(p), t); },
      nb::arg("config"), nb::arg("pairs"));
  def_operation<Config, PythonPathPairs>(
      m, "batch_copy2",
      [](const Config& c, const PythonPathPairs& p, const CancellationToken& t) { return EACopy(c).batch_copy2(engine_pairs(p), t); },
      nb::arg("config"), nb::arg("pairs"));
  def_operation<Config, PythonPathPairs, TreeCopyOptions>(
      m, "batch_copytree",
      [](const Config& c, const PythonPathPairs& p, const TreeCopyOptions& o, const CancellationToken& t) {
        return EACopy(c).batch_copytree(engine_pairs(p), o, t);
      },
      nb::arg("config"), nb::arg("pairs"), nb::arg("options"));
  def_operation<Config, P, P, P>(
      m, "delta_copy",
      [](const Config& c, const P& s, const P& d, const P& r, const CancellationToken& t) {
        return EACopy(c).delta_copy(s.bytes, d.bytes, r.bytes, t);
      },
      nb::arg("config"), nb::arg("src"), nb::arg("dst"), nb::arg("reference"));

  nb::class_<RemoteOptions>(m, "RemoteOptions")
      .def(nb::init<>())
      .def_rw("host", &RemoteOptions::host)
      .def_rw("port", &RemoteOptions::port)
      .def_rw("secret", &RemoteOptions::secret)
      .def_prop_rw(
          "timeout", [](const RemoteOptions& o) { return seconds_of(o.timeout); },
          [](RemoteOptions& o, double seconds) { o.timeout = milliseconds_of(seconds, "timeout"); })
      .def_prop_rw(
          "fallback_dst", [](const RemoteOptions& o) { return P(o.fallback_dst.string()); },
          [](RemoteOptions& o, const P& path) { o.fallback_dst = path.bytes; });
  def_operation<Config, P, P, RemoteOptions>(
      m, "upload",
      [](const Config& c, const P& s, const P& d, const RemoteOptions& r, const CancellationToken& t) {
        return upload(s.bytes, d.bytes, r, c, t);
      },
      nb::arg("config"), nb::arg("src"), nb::arg("remote_dst"), nb::arg("remote"));
  def_operation<Config, P, P, RemoteOptions>(
      m, "download",
      [](const Config& c, const P& s, const P& d, const RemoteOptions& r, const CancellationToken& t) {
        return download(s.bytes, d.bytes, r, c, t);
      },
      nb::arg("config"), nb::arg("remote_src"), nb::arg("dst"), nb::arg("remote"));

  nb::class_<ServerOptions>(m, "ServerOptions")
      .def(nb::init<>())
      .def_rw("host", &ServerOptions::host)
      .def_rw("port", &ServerOptions::port)
      .def_rw("thread_count", &ServerOptions::thread_count)
      .def_rw("max_connections", &ServerOptions::max_connections)
      .def_prop_rw(
          "root", [](const ServerOptions& o) { return P(o.root.string()); },
          [](ServerOptions& o, const P& path) { o.root = path.bytes; })
      .def_rw("secret", &ServerOptions::secret)
      .def_prop_rw(
          "idle_timeout", [](const ServerOptions& o) { return seconds_of(o.idle_timeout); },
          [](ServerOptions& o, double seconds) { o.idle_timeout = milliseconds_of(seconds, "idle_timeout"); })
      .def_prop_rw(
          "handshake_timeout", [](const ServerOptions& o) { return seconds_of(o.handshake_timeout); },
          [](ServerOptions& o, double seconds) { o.handshake_timeout = milliseconds_of(seconds, "handshake_timeout"); })
      .def_rw("max_unauthenticated", &ServerOptions::max_unauthenticated)
      .def_rw("max_unauthenticated_per_address", &ServerOptions::max_unauthenticated_per_address)
      .def_rw("history_size", &ServerOptions::history_size)
      .def_prop_rw(
          "history_file", [](const ServerOptions& o) { return P(o.history_file.string()); },
          [](ServerOptions& o, const P& path) { o.history_file = path.bytes; })
      .def_rw("trust_metadata", &ServerOptions::trust_metadata);

  nb::class_<CopyServer>(m, "CopyServer")
      .def(nb::init<ServerOptions>(), nb::arg("options"))
      .def("start", &CopyServer::start, nb::call_guard<nb::gil_scoped_release>())
      .def("stop", &CopyServer::stop, nb::call_guard<nb::gil_scoped_release>())
      .def("is_running", &CopyServer::is_running)
      .def_prop_ro("port", &CopyServer::port)
      .def_prop_ro("thread_count", &CopyServer::thread_count)
      .def("stats", [](const CopyServer& server) {
        ServerStats s = server.stats();
        nb::dict d;
        d["connections"] = s.connections;
        d["active_connections"] = s.active_connections;
        d["connections_refused"] = s.connections_refused;
        d["bytes_sent"] = s.bytes_sent;
        d["bytes_received"] = s.bytes_received;
        d["files_sent"] = s.files_sent;
        d["files_received"] = s.files_received;
        d["files_linked"] = s.files_linked;
        d["files_skipped"] = s.files_skipped;
        d["history_entries"] = s.history_entries;
        return d;
      });

  m.def("decode_frame", [](std::uint8_t type, nb::bytes payload) {
    try {
      protocol::decode_any(type, std::string_view(payload.c_str(), payload.size()));
    } catch (const protocol::ProtocolError& e) {
      throw nb::value_error(e.what());
    }
  }, nb::arg("type"), nb::arg("payload"), "Test hook: decodes a copy-protocol frame; ValueError if malformed.");

  m.def("inject_write_faults", &inject_write_faults, nb::arg("errno"), nb::arg("count"),
        "Test hook: the next `count` file writes fail with `errno` (0 clears).");
}

}  // namespace gitfleet::bindings
