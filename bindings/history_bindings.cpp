// Commit history: records as read-only Python objects, one-shot extraction completed through
// a callback, and a bounded stream of batches.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>

#include "gitfleet/core/job_runner.hpp"
#include "gitfleet/git/history.hpp"
#include "gitfleet/git/history_table.hpp"
#include "arrow_batch.hpp"
#include "batch_stream.hpp"
#include "fs_path.hpp"
#include "python_bridge.hpp"

namespace gitfleet::bindings {
namespace {

using git::CommitRecord;
using git::FileChange;
using git::HistoryOptions;
using Batch = std::vector<CommitRecord>;

nb::dict file_dict(const FileChange& f) {
  nb::dict d;
  d["path"] = fs_str(f.path);
  d["old_path"] = f.old_path.empty() ? nb::none() : fs_str(f.old_path);
  d["change_type"] = std::string(1, f.change_type);
  d["additions"] = f.additions;
  d["deletions"] = f.deletions;
  d["binary"] = f.binary;
  return d;
}

nb::dict commit_dict(const CommitRecord& c) {
  nb::dict d;
  d["sha"] = c.sha;
  d["repo_name"] = c.repo_name;
  d["message"] = c.message;
  d["author_name"] = c.author.name;
  d["author_email"] = c.author.email;
  d["author_timestamp"] = c.author.timestamp;
  d["author_offset"] = c.author.offset;
  d["committer_name"] = c.committer.name;
  d["committer_email"] = c.committer.email;
  d["committer_timestamp"] = c.committer.timestamp;
  d["committer_offset"] = c.committer.offset;
  d["parents"] = c.parents;
  d["additions"] = c.additions;
  d["deletions"] = c.deletions;
  d["is_merge"] = c.is_merge;
  nb::list files;
  for (const auto& f : c.files) files.append(file_dict(f));
  d["files"] = files;
  return d;
}

// Runs extract_commits on a driver thread and calls on_done(records, None) or
// on_done(None, exception) with the GIL.
NativeRun start_extract_commits(FsPath repo_path, HistoryOptions options, nb::callable on_done) {
  return start_job([repo_path = std::move(repo_path.bytes), options = std::move(options)](const CancellationToken& cancel) {
    return git::extract_commits(repo_path, options, cancel);
  }, std::move(on_done));
}

using CommitStream = BatchStream<CommitRecord>;

CommitStream::Producer commit_batches(std::string repo_path, HistoryOptions options, std::size_t batch_size) {
  return [repo_path = std::move(repo_path), options = std::move(options), batch_size](
             AsyncChannel<Batch>& channel, const CancellationToken& cancel) {
    git::for_each_commit_batch(
        repo_path, options, batch_size, [&](Batch&& batch) { return channel.push(std::move(batch), cancel); }, cancel);
  };
}

// History as Arrow: each item of the stream is [commits, file_changes], two ArrowBatch.
using HistoryTableStream = BatchStream<ArrowBatch>;

HistoryTableStream::Producer history_table_batches(std::string repo_path, HistoryOptions options,
                                                   std::size_t batch_size, std::vector<std::string> columns) {
  if (batch_size == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  git::check_commit_columns(columns);  // an unknown name fails at the call, not in the stream
  return [repo_path = std::move(repo_path), options = std::move(options), batch_size, columns = std::move(columns)](
             AsyncChannel<HistoryTableStream::Batch>& channel, const CancellationToken& cancel) {
    git::for_each_history_batch(repo_path, options, batch_size, [&](git::HistoryBatch&& batch) {
      HistoryTableStream::Batch pair;
      pair.push_back(ArrowBatch{std::move(batch.commits)});
      pair.push_back(ArrowBatch{std::move(batch.file_changes)});
      return channel.push(std::move(pair), cancel);
    }, cancel, columns);
  };
}

}  // namespace

void bind_history(nb::module_& m) {
  nb::class_<FileChange>(m, "FileChange", "One file of a commit, with numstat counts against the first parent.")
      .def_prop_ro("path", [](const FileChange& f) { return fs_str(f.path); })
      .def_prop_ro("old_path", [](const FileChange& f) { return f.old_path.empty() ? nb::none() : fs_str(f.old_path); })
      .def_prop_ro("change_type", [](const FileChange& f) { return std::string(1, f.change_type); })
      .def_ro("additions", &FileChange::additions)
      .def_ro("deletions", &FileChange::deletions)
      .def_ro("binary", &FileChange::binary)
      .def("to_dict", &file_dict)
      .def("__repr__", [](const FileChange& f) {
        return nb::str("FileChange(path={!r}, change_type='{}', additions={}, deletions={})")
            .format(fs_str(f.path), std::string(1, f.change_type), f.additions, f.deletions);
      });

  nb::class_<CommitRecord>(m, "CommitRecord", "One commit as `git log --numstat` reports it.")
      .def_ro("sha", &CommitRecord::sha)
      .def_ro("repo_name", &CommitRecord::repo_name)
      .def_ro("message", &CommitRecord::message)
      .def_prop_ro("author_name", [](const CommitRecord& c) { return c.author.name; })
      .def_prop_ro("author_email", [](const CommitRecord& c) { return c.author.email; })
      .def_prop_ro("author_timestamp", [](const CommitRecord& c) { return c.author.timestamp; })
      .def_prop_ro("author_offset", [](const CommitRecord& c) { return c.author.offset; })
      .def_prop_ro("committer_name", [](const CommitRecord& c) { return c.committer.name; })
      .def_prop_ro("committer_email", [](const CommitRecord& c) { return c.committer.email; })
      .def_prop_ro("committer_timestamp", [](const CommitRecord& c) { return c.committer.timestamp; })
      .def_prop_ro("committer_offset", [](const CommitRecord& c) { return c.committer.offset; })
      .def_ro("parents", &CommitRecord::parents)
      .def_ro("additions", &CommitRecord::additions)
      .def_ro("deletions", &CommitRecord::deletions)
      .def_ro("files_changed", &CommitRecord::files_changed)
      .def_ro("is_merge", &CommitRecord::is_merge)
      .def_ro("files", &CommitRecord::files)
      .def("to_dict", &commit_dict)
      .def("__repr__", [](const CommitRecord& c) {
        return nb::str("CommitRecord(sha='{}', author_name={!r}, additions={}, deletions={})")
            .format(c.sha, c.author.name, c.additions, c.deletions);
      });

  nb::class_<HistoryOptions>(m, "HistoryOptions")
      .def(nb::init<>())
      .def_rw("rev", &HistoryOptions::rev)
      .def_rw("max_count", &HistoryOptions::max_count, nb::arg().none())
      .def_rw("since", &HistoryOptions::since, nb::arg().none())
      .def_rw("until", &HistoryOptions::until, nb::arg().none())
      .def_prop_rw(
          "paths", [](const HistoryOptions& o) { return std::vector<FsPath>(o.paths.begin(), o.paths.end()); },
          [](HistoryOptions& o, const std::vector<FsPath>& paths) { o.paths.assign(paths.begin(), paths.end()); })
      .def_rw("exclude", &HistoryOptions::exclude)
      .def_rw("exclude_commits", &HistoryOptions::exclude_commits)
      .def_rw("first_parent", &HistoryOptions::first_parent)
      .def_rw("include_files", &HistoryOptions::include_files)
      .def_rw("detect_renames", &HistoryOptions::detect_renames)
      .def_rw("line_counts", &HistoryOptions::line_counts)
      .def_rw("threads", &HistoryOptions::threads);

  m.def("start_extract_commits", &start_extract_commits, nb::arg("repo_path"), nb::arg("options"),
        nb::arg("on_done"));


  auto commit_stream = nb::class_<CommitStream>(m, "CommitStream")
      .def("__init__", [](CommitStream* self, FsPath repo_path, HistoryOptions options, std::size_t batch_size) {
        new (self) CommitStream(commit_batches(std::move(repo_path.bytes), std::move(options), batch_size));
      }, nb::arg("repo_path"), nb::arg("options"), nb::arg("batch_size"));
  CommitStream::bind_methods(commit_stream);

  auto table_stream = nb::class_<HistoryTableStream>(m, "HistoryTableStream")
      .def("__init__", [](HistoryTableStream* self, FsPath repo_path, HistoryOptions options, std::size_t batch_size,
                          std::vector<std::string> columns) {
        new (self) HistoryTableStream(
            history_table_batches(std::move(repo_path.bytes), std::move(options), batch_size, std::move(columns)));
      }, nb::arg("repo_path"), nb::arg("options"), nb::arg("batch_size"),
      nb::arg("columns") = std::vector<std::string>());
  HistoryTableStream::bind_methods(table_stream);
}

}  // namespace gitfleet::bindings
