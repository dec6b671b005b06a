#include "gitfleet/git/history_table.hpp"

#include "gitfleet/core/error.hpp"
#include "signature_columns.hpp"

namespace gitfleet::git {
namespace {

using columnar::ColumnType;
using columnar::Field;
using columnar::RecordBatchBuilder;

// Author and committer take four columns each (signature_columns.hpp).
enum CommitColumn {
  kRepo, kSha, kAuthor, kCommitter = kAuthor + 4, kMessage = kCommitter + 4, kParents, kAdditions, kDeletions,
  kFilesChanged, kIsMerge
};

std::vector<Field> commit_fields() {
  std::vector<Field> fields{{"repo_name", ColumnType::Utf8Dictionary}, {"sha", ColumnType::Utf8}};
  for (const char* who : {"author", "committer"})
    for (Field& f : signature_fields(who)) fields.push_back(std::move(f));
  std::vector<Field> rest{{"message", ColumnType::Utf8},       {"parents", ColumnType::Utf8List},
                          {"additions", ColumnType::Int64},    {"deletions", ColumnType::Int64},
                          {"files_changed", ColumnType::Int64}, {"is_merge", ColumnType::Bool}};
  fields.insert(fields.end(), rest.begin(), rest.end());
  return fields;
}

enum FileColumn { kFileSha, kPath, kOldPath, kChangeType, kFileAdditions, kFileDeletions, kBinary };

std::vector<Field> file_change_fields() {
  // Dictionary-encoded: a commit's SHA repeats on each of its files, and paths across commits.
  return {{"sha", ColumnType::Utf8Dictionary},        {"path", ColumnType::Utf8Dictionary},
          {"old_path", ColumnType::Utf8Dictionary, true}, {"change_type", ColumnType::Utf8Dictionary},
          {"additions", ColumnType::Int64}, {"deletions", ColumnType::Int64},
          {"binary", ColumnType::Bool}};
}


void append_commit(RecordBatchBuilder& commits, RecordBatchBuilder& files, const CommitRecord& c) {
  commits[kRepo].append_string(c.repo_name);
  commits[kSha].append_string(c.sha);
  append_signature(commits, kAuthor, c.author);
  append_signature(commits, kCommitter, c.committer);
  commits[kMessage].append_string(c.message);
  commits[kParents].append_strings(c.parents);
  commits[kAdditions].append_int(c.additions);
  commits[kDeletions].append_int(c.deletions);
  commits[kFilesChanged].append_int(c.files_changed);
  commits[kIsMerge].append_bool(c.is_merge);
  for (const FileChange& f : c.files) {
    files[kFileSha].append_string(c.sha);
    files[kPath].append_text(f.path);
    if (f.old_path.empty())
      files[kOldPath].append_null();
    else
      files[kOldPath].append_text(f.old_path);
    files[kChangeType].append_string(std::string_view(&f.change_type, 1));
    files[kFileAdditions].append_int(f.additions);
    files[kFileDeletions].append_int(f.deletions);
    files[kBinary].append_bool(f.binary);
  }
}

HistoryBatch take(RecordBatchBuilder& commits, RecordBatchBuilder& files) {
  HistoryBatch batch;
  commits.export_batch(&batch.commits.array, &batch.commits.schema);
  files.export_batch(&batch.file_changes.array, &batch.file_changes.schema);
  return batch;
}

}  // namespace

void check_commit_columns(const std::vector<std::string>& commit_columns) {
  RecordBatchBuilder(commit_fields(), commit_columns);
}

void for_each_history_batch(const std::string& repo_path, const HistoryOptions& options, std::size_t batch_commits,
                            const std::function<bool(HistoryBatch&&)>& sink, const CancellationToken& cancel,
                            const std::vector<std::string>& commit_columns) {
  if (batch_commits == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  RecordBatchBuilder commits(commit_fields(), commit_columns), files(file_change_fields());
  bool open = true, sent = false;
  for_each_commit(
      repo_path, options,
      [&](CommitRecord&& record) {
        append_commit(commits, files, record);
        if (commits.rows() < batch_commits && commits.bytes() + files.bytes() < columnar::kMaxBatchBytes) return true;
        sent = true;
        open = sink(take(commits, files));
        return open;
      },
      cancel);
  if (open && (commits.rows() || !sent)) sink(take(commits, files));
}

}  // namespace gitfleet::git
