#include "gitfleet/git/blame_table.hpp"

#include <algorithm>
#include <cstring>

#include "gitfleet/core/error.hpp"
#include "line_stats.hpp"
#include "signature_columns.hpp"

namespace gitfleet::git {
namespace {

using columnar::ColumnType;
using columnar::Field;
using columnar::RecordBatchBuilder;

// A NUL in the first kBinaryProbeBytes of the file the lines make (each line and its '\n').
bool starts_binary(const std::vector<BlameLine>& lines) {
  std::size_t seen = 0;
  for (const BlameLine& line : lines) {
    if (seen >= kBinaryProbeBytes) break;
    const std::size_t probe = std::min(line.line_content.size(), kBinaryProbeBytes - seen);
    if (std::memchr(line.line_content.data(), 0, probe)) return true;
    seen += line.line_content.size() + 1;
  }
  return false;
}

// Author and committer take four columns each (signature_columns.hpp).
enum Column {
  kPath, kFinalLine, kCommit, kOrigPath, kOrigLine, kAuthor, kCommitter = kAuthor + 4, kSummary = kCommitter + 4,
  kBoundary, kContent
};

std::vector<Field> blame_fields() {
  // Dictionary-encoded where lines repeat their neighbours': the file, the commit and its summary.
  std::vector<Field> fields{{"path", ColumnType::Utf8Dictionary},      {"final_line_no", ColumnType::Int64},
                            {"commit_id", ColumnType::Utf8Dictionary}, {"orig_path", ColumnType::Utf8Dictionary},
                            {"orig_line_no", ColumnType::Int64}};
  for (const char* who : {"author", "committer"})
    for (Field& f : signature_fields(who)) fields.push_back(std::move(f));
  std::vector<Field> rest{
      {"summary", ColumnType::Utf8Dictionary}, {"boundary", ColumnType::Bool}, {"line_content", ColumnType::Utf8}};
  fields.insert(fields.end(), rest.begin(), rest.end());
  return fields;
}

}  // namespace

BlameTable blame_table(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                       const BlameOptions& options, std::size_t batch_rows, const CancellationToken& cancel,
                       const BulkBlameProgressFn& progress) {
  if (batch_rows == 0) throw Error(ErrorCode::InvalidArgument, "batch_size must be >= 1");
  BlameTable table;
  RecordBatchBuilder rows(blame_fields());
  RecordBatchBuilder files({{"path", ColumnType::Utf8}, {"lines", ColumnType::Int64}, {"binary", ColumnType::Bool}});
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
    files[0].append_text(file.path);
    files[1].append_int(static_cast<std::int64_t>(r.lines.size()));
    files[2].append_bool(starts_binary(r.lines));
    for (const BlameLine& line : r.lines) {
      const BlameCommit& c = r.commits[line.commit];
      rows[kPath].append_text(file.path);
      rows[kFinalLine].append_int(line.final_line_no);
      rows[kCommit].append_string(c.sha);
      rows[kOrigPath].append_text(line.orig_path);
      rows[kOrigLine].append_int(line.orig_line_no);
      append_signature(rows, kAuthor, c.author);
      append_signature(rows, kCommitter, c.committer);
      rows[kSummary].append_string(c.summary);
      rows[kBoundary].append_bool(c.boundary);
      rows[kContent].append_text(line.line_content);
      if (rows.rows() >= batch_rows || rows.bytes() >= columnar::kMaxBatchBytes) take();
    }
    file.result = {};  // this file's lines are in the batches now
  }
  if (rows.rows() || table.batches.empty()) take();
  files.export_batch(&table.files.array, &table.files.schema);
  return table;
}

}  // namespace gitfleet::git
