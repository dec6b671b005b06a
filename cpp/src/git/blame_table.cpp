#include "gitfleet/git/blame_table.hpp"

#include "gitfleet/core/error.hpp"

namespace gitfleet::git {
namespace {

using columnar::ColumnType;
using columnar::Field;
using columnar::RecordBatchBuilder;

enum Column {
  kPath, kFinalLine, kCommit, kOrigPath, kOrigLine, kAuthorName, kAuthorEmail, kAuthorTime, kAuthorOffset,
  kCommitterName, kCommitterEmail, kCommitterTime, kCommitterOffset, kSummary, kBoundary, kContent
};

std::vector<Field> blame_fields() {
  return {{"path", ColumnType::Utf8},           {"final_line_no", ColumnType::Int64},
          {"commit_id", ColumnType::Utf8},      {"orig_path", ColumnType::Utf8},
          {"orig_line_no", ColumnType::Int64},  {"author_name", ColumnType::Utf8},
          {"author_email", ColumnType::Utf8},   {"author_time", ColumnType::TimestampUtc},
          {"author_offset", ColumnType::Int16}, {"committer_name", ColumnType::Utf8},
          {"committer_email", ColumnType::Utf8}, {"committer_time", ColumnType::TimestampUtc},
          {"committer_offset", ColumnType::Int16}, {"summary", ColumnType::Utf8},
          {"boundary", ColumnType::Bool},       {"line_content", ColumnType::Utf8}};
}


}  // namespace

BlameTable blame_table(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                       const BlameOptions& options, std::size_t batch_rows, const CancellationToken& cancel,
                       const BulkBlameProgressFn& progress) {
  if (batch_rows == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  BlameTable table;
  RecordBatchBuilder rows(blame_fields());
  auto take = [&] {
    table.batches.emplace_back();
    rows.export_batch(&table.batches.back().array, &table.batches.back().schema);
  };
  for (FileBlame& file : bulk_blame(repo_path, std::move(paths), options, cancel, progress)) {
    if (file.error) {
      table.failures.emplace_back(std::move(file.path), file.error);
      continue;
    }
    const BlameResult& r = file.result;
    for (const BlameLine& line : r.lines) {
      const BlameCommit& c = r.commits[line.commit];
      rows[kPath].append_text(file.path);
      rows[kFinalLine].append_int(line.final_line_no);
      rows[kCommit].append_string(c.sha);
      rows[kOrigPath].append_text(line.orig_path);
      rows[kOrigLine].append_int(line.orig_line_no);
      rows[kAuthorName].append_string(c.author.name);
      rows[kAuthorEmail].append_string(c.author.email);
      rows[kAuthorTime].append_int(c.author.timestamp);
      rows[kAuthorOffset].append_int(c.author.offset);
      rows[kCommitterName].append_string(c.committer.name);
      rows[kCommitterEmail].append_string(c.committer.email);
      rows[kCommitterTime].append_int(c.committer.timestamp);
      rows[kCommitterOffset].append_int(c.committer.offset);
      rows[kSummary].append_string(c.summary);
      rows[kBoundary].append_bool(c.boundary);
      rows[kContent].append_text(line.line_content);
      if (rows.rows() >= batch_rows || rows.bytes() >= columnar::kMaxBatchBytes) take();
    }
    file.result = {};  // this file's lines are in the batches now
  }
  if (rows.rows() || table.batches.empty()) take();
  return table;
}

}  // namespace gitfleet::git
