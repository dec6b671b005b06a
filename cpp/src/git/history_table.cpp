#include "gitfleet/git/history_table.hpp"

#include "gitfleet/core/error.hpp"

namespace gitfleet::git {
namespace {

using columnar::ColumnType;
using columnar::Field;
using columnar::RecordBatchBuilder;

enum CommitColumn {
  kRepo, kSha, kAuthorName, kAuthorEmail, kAuthorTime, kAuthorOffset, kCommitterName, kCommitterEmail,
  kCommitterTime, kCommitterOffset, kMessage, kParents, kAdditions, kDeletions, kFilesChanged, kIsMerge
};

std::vector<Field> commit_fields() {
  return {{"repo_name", ColumnType::Utf8},       {"sha", ColumnType::Utf8},
          {"author_name", ColumnType::Utf8},     {"author_email", ColumnType::Utf8},
          {"author_time", ColumnType::TimestampUtc}, {"author_offset", ColumnType::Int16},
          {"committer_name", ColumnType::Utf8},  {"committer_email", ColumnType::Utf8},
          {"committer_time", ColumnType::TimestampUtc}, {"committer_offset", ColumnType::Int16},
          {"message", ColumnType::Utf8},         {"parents", ColumnType::Utf8List},
          {"additions", ColumnType::Int64},      {"deletions", ColumnType::Int64},
          {"files_changed", ColumnType::Int64},  {"is_merge", ColumnType::Bool}};
}

enum FileColumn { kFileSha, kPath, kOldPath, kChangeType, kFileAdditions, kFileDeletions, kBinary };

std::vector<Field> file_change_fields() {
  return {{"sha", ColumnType::Utf8},        {"path", ColumnType::Utf8},
          {"old_path", ColumnType::Utf8, true}, {"change_type", ColumnType::Utf8},
          {"additions", ColumnType::Int64}, {"deletions", ColumnType::Int64},
          {"binary", ColumnType::Bool}};
}


void append_commit(RecordBatchBuilder& commits, RecordBatchBuilder& files, const CommitRecord& c) {
  commits[kRepo].append_string(c.repo_name);
  commits[kSha].append_string(c.sha);
  commits[kAuthorName].append_string(c.author.name);
  commits[kAuthorEmail].append_string(c.author.email);
  commits[kAuthorTime].append_int(c.author.timestamp);
  commits[kAuthorOffset].append_int(c.author.offset);
  commits[kCommitterName].append_string(c.committer.name);
  commits[kCommitterEmail].append_string(c.committer.email);
  commits[kCommitterTime].append_int(c.committer.timestamp);
  commits[kCommitterOffset].append_int(c.committer.offset);
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

void for_each_history_batch(const std::string& repo_path, const HistoryOptions& options, std::size_t batch_commits,
                            const std::function<bool(HistoryBatch&&)>& sink, const CancellationToken& cancel) {
  if (batch_commits == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  RecordBatchBuilder commits(commit_fields()), files(file_change_fields());
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
