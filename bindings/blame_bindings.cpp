// Blame: one record per line, files blamed in parallel, each file's failure its own.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <future>

#include "gitfleet/core/job_runner.hpp"
#include "gitfleet/core/thread_pool.hpp"
#include "gitfleet/git/blame.hpp"
#include "batch_stream.hpp"
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

std::vector<BlameLineRecord> records_of(const BlameResult& r) {
  std::vector<BlameLineRecord> out;
  out.reserve(r.lines.size());
  for (const auto& l : r.lines) {
    const auto& c = r.commits[l.commit];
    out.push_back({c.sha, c.author_name, c.author_email, c.author_tz, c.committer_name, c.committer_email,
                   c.committer_tz, c.summary, l.orig_path, l.line_content, c.author_time, c.committer_time,
                   l.orig_line_no, l.final_line_no, c.boundary});
  }
  return out;
}

struct FileOutcome {
  std::vector<BlameLineRecord> lines;
  std::exception_ptr error;
};

// One file's lines in batches: the blame runs on a driver thread and hands its records over
// `batch_size` at a time, so Python never holds more than a few batches of line objects.
using BlameStream = BatchStream<BlameLineRecord>;

BlameStream::Producer blame_batches(std::string repo_path, std::string path, BlameOptions options,
                                    std::size_t batch_size) {
  if (batch_size == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  return [repo_path = std::move(repo_path), path = std::move(path), options = std::move(options), batch_size](
             AsyncChannel<BlameStream::Batch>& channel, const CancellationToken& cancel) {
    std::vector<BlameLineRecord> all;
    {
      auto session = git::BlameSessionPool::shared().acquire(repo_path);
      all = records_of(session->blame(path, options, cancel));
    }
    for (std::size_t i = 0; i < all.size(); i += batch_size) {
      auto first = all.begin() + static_cast<std::ptrdiff_t>(i);
      auto last = all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + batch_size));
      if (!channel.push(BlameStream::Batch(std::make_move_iterator(first), std::make_move_iterator(last)), cancel))
        return;
    }
  };
}

struct NativeBlame {
  CancellationToken token;
  void cancel() const { token.cancel(); }
};

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
      .def_prop_ro("orig_path", [](const BlameLineRecord& r) {
        return nb::steal(PyUnicode_DecodeUTF8(r.orig_path.data(), static_cast<Py_ssize_t>(r.orig_path.size()),
                                              "surrogateescape"));
      })
      .def_ro("orig_line_no", &BlameLineRecord::orig_line_no)
      .def_ro("final_line_no", &BlameLineRecord::final_line_no)
      .def_prop_ro("line_content", [](const BlameLineRecord& r) {
        return nb::steal(PyUnicode_DecodeUTF8(r.line_content.data(), static_cast<Py_ssize_t>(r.line_content.size()),
                                              "surrogateescape"));
      })
      .def_ro("boundary", &BlameLineRecord::boundary)
      .def("__repr__", [](const BlameLineRecord& r) {
        return nb::str("BlameLine(final_line_no={}, commit_id='{}', orig_path={!r}, orig_line_no={})")
            .format(r.final_line_no, r.commit_id, r.orig_path, r.orig_line_no);
      });

  nb::class_<BlameOptions>(m, "BlameOptions")
      .def(nb::init<>())
      .def_rw("rev", &BlameOptions::rev)
      .def_rw("first_parent", &BlameOptions::first_parent)
      .def_rw("ignore_whitespace", &BlameOptions::ignore_whitespace)
      .def_rw("first_line", &BlameOptions::first_line)
      .def_rw("last_line", &BlameOptions::last_line)
      .def_rw("ignore_revs", &BlameOptions::ignore_revs);

  nb::class_<NativeBlame>(m, "NativeBlame").def("cancel", &NativeBlame::cancel);

  auto blame_stream = nb::class_<BlameStream>(m, "BlameStream")
      .def("__init__", [](BlameStream* self, std::string repo_path, std::string path, BlameOptions options,
                          std::size_t batch_size) {
        new (self) BlameStream(blame_batches(std::move(repo_path), std::move(path), std::move(options), batch_size));
      }, nb::arg("repo_path"), nb::arg("path"), nb::arg("options"), nb::arg("batch_size"));
  BlameStream::bind_methods(blame_stream);

  m.def("release_blame_sessions", [] {
    nb::gil_scoped_release release;
    git::BlameSessionPool::shared().clear();
  });

  // on_done([(path, lines | None, exception | None), ...], None) once every file is done;
  // paths=None means every file at options.rev.
  m.def(
      "start_bulk_blame",
      [](std::string repo_path, std::optional<std::vector<std::string>> maybe_paths, BlameOptions options,
         nb::callable on_done) {
        auto callback = std::make_shared<PythonCallback>(std::move(on_done));
        CancellationToken token = JobRunner::shared().start(
            [repo_path = std::move(repo_path), maybe_paths = std::move(maybe_paths), options = std::move(options),
             callback](const CancellationToken& cancel) {
              std::vector<std::string> paths;
              try {
                // A bad repository or revision fails the call, not each file.
                auto probe = git::BlameSessionPool::shared().acquire(repo_path);
                probe->check_revisions(options);
                paths = maybe_paths ? *maybe_paths : probe->files_at(options.rev);
              } catch (...) {
                auto error = std::current_exception();
                callback->call([&] { return std::tuple<nb::object, nb::object>(nb::none(), python_exception_for(error)); });
                return;
              }
              // One walk per core, each over its share of the files: a commit is visited once
              // per walk for all the files of that share.
              std::size_t groups = std::min(paths.size(), ThreadPool::shared().size());
              std::vector<FileOutcome> outcomes(paths.size());
              std::vector<std::future<void>> futures;
              for (std::size_t g = 0; g < groups; ++g)
                futures.push_back(ThreadPool::shared().submit([&, g] {
                  std::vector<std::size_t> mine;
                  std::vector<std::string> share;
                  for (std::size_t i = g; i < paths.size(); i += groups) {
                    mine.push_back(i);
                    share.push_back(paths[i]);
                  }
                  try {
                    auto session = git::BlameSessionPool::shared().acquire(repo_path);
                    std::vector<std::exception_ptr> errors;
                    std::vector<git::BlameResult> results = session->blame_together(share, options, cancel, errors);
                    for (std::size_t k = 0; k < mine.size(); ++k) {
                      outcomes[mine[k]].error = errors[k];
                      if (!errors[k]) outcomes[mine[k]].lines = records_of(results[k]);
                    }
                  } catch (...) {
                    for (std::size_t i : mine) outcomes[i].error = std::current_exception();
                  }
                }));
              for (auto& f : futures) f.get();
              callback->call([&] {
                nb::list out;
                for (std::size_t i = 0; i < paths.size(); ++i) {
                  nb::object lines = outcomes[i].error ? nb::none() : nb::cast(std::move(outcomes[i].lines));
                  nb::object error = outcomes[i].error ? python_exception_for(outcomes[i].error) : nb::none();
                  out.append(nb::make_tuple(paths[i], lines, error));
                }
                return std::tuple<nb::object, nb::object>(out, nb::none());
              });
            });
        return NativeBlame{token};
      },
      nb::arg("repo_path"), nb::arg("paths").none(), nb::arg("options"), nb::arg("on_done"));
}

}  // namespace gitfleet::bindings
