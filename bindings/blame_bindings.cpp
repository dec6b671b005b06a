// Blame: one record per line, files blamed in parallel, each file's failure its own.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "gitfleet/git/blame.hpp"
#include "gitfleet/git/blame_table.hpp"
#include "gitfleet/git/blame_handover.hpp"
#include "gitfleet/git/bulk_blame.hpp"
#include "arrow_batch.hpp"
#include "gitfleet/git/find_files.hpp"
#include "batch_stream.hpp"
#include "fs_path.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using git::BlameOptions;
using git::BlameResult;

// The line record of the Python API: the line's commit described in full, as in
// `git blame --line-porcelain`.
struct BlameLineRecord {
  std::string commit_id, author_name, author_email, author_tz, committer_name, committer_email, committer_tz,
      summary, orig_path, line_content;
  std::int64_t author_time, committer_time, orig_line_no, final_line_no;
  bool boundary;
};

std::vector<BlameLineRecord> records_of(const BlameResult& r, std::size_t first, std::size_t end) {
  std::vector<BlameLineRecord> out;
  out.reserve(end - first);
  for (std::size_t i = first; i < end; ++i) {
    const auto& l = r.lines[i];
    const auto& c = r.commits[l.commit];
    out.push_back({c.sha, c.author.name, c.author.email, git::offset_string(c.author.offset), c.committer.name,
                   c.committer.email, git::offset_string(c.committer.offset), c.summary, l.orig_path, l.line_content,
                   c.author.timestamp, c.committer.timestamp, l.orig_line_no, l.final_line_no, c.boundary});
  }
  return out;
}

// One file of a bulk blame, as its line records (empty when error is set).
struct FileRecords {
  std::string path;
  std::vector<BlameLineRecord> lines;
  std::exception_ptr error;
};

// One file's lines in batches: the blame runs on a driver thread and hands its records over
// `batch_size` at a time, so Python never holds more than a few batches of line objects.
using BlameStream = BatchStream<BlameLineRecord>;

BlameStream::Producer blame_batches(std::string repo_path, std::string path, BlameOptions options,
                                    std::size_t batch_size) {
  return [repo_path = std::move(repo_path), path = std::move(path), options = std::move(options), batch_size](
             AsyncChannel<BlameStream::Batch>& channel, const CancellationToken& cancel) {
    git::stream_blame(
        repo_path, path, options, batch_size,
        [&](const BlameResult& r, std::size_t first, std::size_t end) {
          return channel.push(records_of(r, first, end), cancel);
        },
        cancel);
  };
}

// A bulk blame's progress, reported to a Python callable (from native threads, with the GIL):
// on_progress(files_done, files_total, lines_done, lines_total).
git::BulkBlameProgressFn progress_to_python(std::optional<nb::callable> on_progress) {
  if (!on_progress) return {};
  return [callback = std::make_shared<PythonCallback>(std::move(*on_progress))](const git::BulkBlameProgress& p) {
    callback->call([&] { return std::make_tuple(p.files_done, p.files_total, p.lines_done, p.lines_total); });
  };
}

}  // namespace

void bind_blame(nb::module_& m) {
  nb::class_<BlameLineRecord>(m, "BlameLine", "One line of a file as `git blame --line-porcelain` describes it.")
      .def_ro("commit_id", &BlameLineRecord::commit_id)
      .def_ro("author_name", &BlameLineRecord::author_name)
      .def_ro("author_email", &BlameLineRecord::author_email)
      .def_ro("author_time", &BlameLineRecord::author_time)
      .def_ro("author_tz", &BlameLineRecord::author_tz)
      .def_ro("committer_name", &BlameLineRecord::committer_name)
      .def_ro("committer_email", &BlameLineRecord::committer_email)
      .def_ro("committer_time", &BlameLineRecord::committer_time)
      .def_ro("committer_tz", &BlameLineRecord::committer_tz)
      .def_ro("summary", &BlameLineRecord::summary)
      .def_prop_ro("orig_path", [](const BlameLineRecord& r) { return fs_str(r.orig_path); })
      .def_ro("orig_line_no", &BlameLineRecord::orig_line_no)
      .def_ro("final_line_no", &BlameLineRecord::final_line_no)
      .def_prop_ro("line_content", [](const BlameLineRecord& r) {
        return nb::steal(PyUnicode_DecodeUTF8(r.line_content.data(), static_cast<Py_ssize_t>(r.line_content.size()),
                                              "surrogateescape"));
      })
      .def_ro("boundary", &BlameLineRecord::boundary)
      .def("__repr__", [](const BlameLineRecord& r) {
        return nb::str("BlameLine(final_line_no={}, commit_id='{}', orig_path={!r}, orig_line_no={})")
            .format(r.final_line_no, r.commit_id, fs_str(r.orig_path), r.orig_line_no);
      });

  nb::class_<BlameOptions>(m, "BlameOptions")
      .def(nb::init<>())
      .def_rw("rev", &BlameOptions::rev)
      .def_rw("first_parent", &BlameOptions::first_parent)
      .def_rw("ignore_whitespace", &BlameOptions::ignore_whitespace)
      .def_rw("first_line", &BlameOptions::first_line)
      .def_rw("last_line", &BlameOptions::last_line)
      .def_rw("ignore_revs", &BlameOptions::ignore_revs)
      .def_rw("exclude", &BlameOptions::exclude)
      .def_rw("exclude_commits", &BlameOptions::exclude_commits)
      .def_rw("mailmap", &BlameOptions::mailmap);

  auto blame_stream = nb::class_<BlameStream>(m, "BlameStream")
      .def("__init__", [](BlameStream* self, FsPath repo_path, FsPath path, BlameOptions options,
                          std::size_t batch_size) {
        new (self) BlameStream(blame_batches(std::move(repo_path.bytes), std::move(path.bytes), std::move(options),
                                             batch_size));
      }, nb::arg("repo_path"), nb::arg("path"), nb::arg("options"), nb::arg("batch_size"));
  BlameStream::bind_methods(blame_stream);

  // Quick (tree lookups along one line of commits), so called synchronously, off the GIL.
  m.def(
      "blame_hands_whole_file",
      [](FsPath repo_path, std::string from, std::vector<std::pair<std::string, FsPath>> to_and_paths) {
        std::vector<std::pair<std::string, std::string>> pairs(to_and_paths.begin(), to_and_paths.end());
        nb::gil_scoped_release release;
        return git::blame_hands_whole_file(repo_path.bytes, from, pairs);
      },
      nb::arg("repo_path"), nb::arg("from_rev"), nb::arg("to_and_paths"));

  m.def("release_blame_sessions", [] {
    nb::gil_scoped_release release;
    git::BlameSessionPool::shared().clear();
  });

  // on_done([(path, lines | None, exception | None), ...], None) once every file is done;
  // paths=None means every file at options.rev. on_progress(files_done, files_total,
  // lines_done, lines_total) is called from native threads (with the GIL) as the walks go.
  m.def(
      "start_bulk_blame",
      [](FsPath repo_path, std::optional<std::vector<FsPath>> paths, BlameOptions options, nb::callable on_done,
         std::optional<nb::callable> on_progress) {
        std::optional<std::vector<std::string>> names;
        if (paths) names.emplace(paths->begin(), paths->end());
        git::BulkBlameProgressFn progress = progress_to_python(std::move(on_progress));
        return start_job(
            [repo_path = std::move(repo_path.bytes), names = std::move(names), options = std::move(options),
             progress = std::move(progress)](const CancellationToken& cancel) {
              // Line records are built here, off the GIL, each file's result freed as it goes.
              std::vector<FileRecords> files;
              for (git::FileBlame& f : git::bulk_blame(repo_path, names, options, cancel, progress)) {
                files.push_back({std::move(f.path), records_of(f.result, 0, f.result.lines.size()), f.error});
                f.result = {};
              }
              return files;
            },
            std::move(on_done), [](std::vector<FileRecords>&& files) {
              nb::list out;
              for (FileRecords& f : files) {
                nb::object lines = f.error ? nb::none() : nb::cast(std::move(f.lines));
                nb::object error = f.error ? python_exception_for(f.error) : nb::none();
                out.append(nb::make_tuple(fs_str(f.path), lines, error));
              }
              return nb::object(out);
            });
      },
      nb::arg("repo_path"), nb::arg("paths").none(), nb::arg("options"), nb::arg("on_done"),
      nb::arg("on_progress").none() = nb::none());

  // Bulk blame as Arrow: on_done(([ArrowBatch, ...], ArrowBatch of files, [(path, exception), ...]), None).
  m.def(
      "start_blame_table",
      [](FsPath repo_path, std::optional<std::vector<FsPath>> paths, BlameOptions options, std::size_t batch_size,
         nb::callable on_done, std::optional<nb::callable> on_progress) {
        std::optional<std::vector<std::string>> names;
        if (paths) names.emplace(paths->begin(), paths->end());
        return start_job(
            [repo_path = std::move(repo_path.bytes), names = std::move(names), options = std::move(options),
             batch_size, progress = progress_to_python(std::move(on_progress))](const CancellationToken& cancel) {
              return git::blame_table(repo_path, names, options, batch_size, cancel, progress);
            },
            std::move(on_done), [](git::BlameTable&& table) {
              nb::list batches, failures;
              for (auto& batch : table.batches) batches.append(nb::cast(ArrowBatch{std::move(batch)}));
              nb::object files = nb::cast(ArrowBatch{std::move(table.files)});
              for (auto& [path, error] : table.failures)
                failures.append(nb::make_tuple(fs_str(path), python_exception_for(error)));
              return nb::object(nb::make_tuple(batches, files, failures));
            });
      },
      nb::arg("repo_path"), nb::arg("paths").none(), nb::arg("options"), nb::arg("batch_size"), nb::arg("on_done"),
      nb::arg("on_progress").none() = nb::none());

  m.def(
      "start_find_files",
      [](FsPath repo_path, std::string rev, std::vector<FsPath> patterns, nb::callable on_done) {
        return start_job(
            [repo_path = std::move(repo_path.bytes), rev = std::move(rev),
             patterns = std::vector<std::string>(patterns.begin(), patterns.end())](const CancellationToken&) {
              return git::find_files(repo_path, rev, patterns);
            },
            std::move(on_done), [](std::vector<std::string>&& paths) {
              nb::list out;
              for (const std::string& path : paths) out.append(fs_str(path));
              return nb::object(out);
            });
      },
      nb::arg("repo_path"), nb::arg("rev"), nb::arg("patterns"), nb::arg("on_done"));
}

}  // namespace gitfleet::bindings
