#include "gitfleet/copy/eacopy.hpp"

#include <atomic>

#include "attempts.hpp"
#include "file_ops.hpp"

namespace gitfleet::copy {
namespace fs = std::filesystem;

namespace {

// A single-file operation under the error strategy. Ignore means "go on with the other
// files"; a single file has none, so its failure is raised rather than silently lost.
template <class Op>
void with_strategy(const Config& config, const CancellationToken& cancel, Op&& op) {
  std::atomic<std::uint64_t> retries{0};
  Config single = config;
  if (single.error_strategy == ErrorStrategy::Ignore) single.error_strategy = ErrorStrategy::Raise;
  attempt(single, cancel, retries, op, [](const Error&) {});
}

Config shutil_defaults() {
  Config c;
  c.follow_symlinks = true;
  return c;
}

}  // namespace

FileCopyOptions EACopy::file_options(Metadata metadata, const CancellationToken& cancel) const {
  FileCopyOptions o;
  o.metadata = metadata;
  o.follow_symlinks = config_.follow_symlinks;
  o.buffer_size = config_.buffer_size;
  o.progress = config_.progress_callback ? &config_.progress_callback : nullptr;
  o.cancel = cancel;
  return o;
}

fs::path EACopy::copy_one(const fs::path& src, const fs::path& dst, Metadata metadata, bool into_directory,
                          const CancellationToken& cancel) const {
  fs::path target = into_directory ? destination_in(src, dst) : dst;
  FileCopyOptions o = file_options(metadata, cancel);
  std::uint64_t bytes = 0;
  with_strategy(config_, cancel, [&] { bytes = copy_file(src, target, o).bytes; });
  FileEvents(&config_.file_event_callback)(FileOutcome::Copied, src.string(), bytes);
  return target;
}

fs::path EACopy::copyfile(const fs::path& src, const fs::path& dst, const CancellationToken& cancel) const {
  return copy_one(src, dst, Metadata::None, false, cancel);
}

fs::path EACopy::copy(const fs::path& src, const fs::path& dst, const CancellationToken& cancel) const {
  return copy_one(src, dst, Metadata::Mode, true, cancel);
}

fs::path EACopy::copy2(const fs::path& src, const fs::path& dst, const CancellationToken& cancel) const {
  return copy_one(src, dst, Metadata::All, true, cancel);
}

CopySummary EACopy::copytree(const fs::path& src, const fs::path& dst, TreeCopyOptions options,
                             const CancellationToken& cancel) const {
  options.metadata = config_.preserve_metadata ? Metadata::All : Metadata::Mode;
  return copy_tree(src, dst, options, config_, cancel);
}

CopySummary EACopy::batch_copy(const PathPairs& pairs, const CancellationToken& cancel) const {
  return copy_files(pairs, Metadata::Mode, config_, cancel);
}

CopySummary EACopy::batch_copy2(const PathPairs& pairs, const CancellationToken& cancel) const {
  return copy_files(pairs, Metadata::All, config_, cancel);
}

CopySummary EACopy::batch_copytree(const PathPairs& pairs, const TreeCopyOptions& options,
                                   const CancellationToken& cancel) const {
  CopySummary total;
  for (const auto& [src, dst] : pairs) {
    CopySummary one;
    try {
      one = copytree(src, dst, options, cancel);
    } catch (const Error& e) {
      if (config_.error_strategy != ErrorStrategy::Ignore || e.code() == ErrorCode::Cancelled) throw;
      one.files_failed = 1;
      one.failures.push_back(CopyFailure::of(src, e));
    }
    total.merge(one);
  }
  return total;
}

DeltaStats EACopy::delta_copy(const fs::path& src, const fs::path& dst, const fs::path& reference,
                              const CancellationToken& cancel) const {
  DeltaStats stats;
  FileCopyOptions o = file_options(config_.preserve_metadata ? Metadata::All : Metadata::Mode, cancel);
  with_strategy(config_, cancel, [&] { stats = copy::delta_copy(src, dst, reference, o); });
  FileEvents(&config_.file_event_callback)(FileOutcome::Delta, src.string(), stats.bytes_total);
  return stats;
}

fs::path copyfile(const fs::path& src, const fs::path& dst) { return EACopy(shutil_defaults()).copyfile(src, dst); }
fs::path copy(const fs::path& src, const fs::path& dst) { return EACopy(shutil_defaults()).copy(src, dst); }
fs::path copy2(const fs::path& src, const fs::path& dst) { return EACopy(shutil_defaults()).copy2(src, dst); }

CopySummary copytree(const fs::path& src, const fs::path& dst, bool symlinks, bool ignore_dangling_symlinks,
                     bool dirs_exist_ok) {
  TreeCopyOptions o;
  o.symlinks = symlinks;
  o.ignore_dangling_symlinks = ignore_dangling_symlinks;
  o.dirs_exist_ok = dirs_exist_ok;
  return EACopy(shutil_defaults()).copytree(src, dst, o);
}

CopySummary batch_copy(const PathPairs& pairs) { return EACopy(shutil_defaults()).batch_copy(pairs); }
CopySummary batch_copy2(const PathPairs& pairs) { return EACopy(shutil_defaults()).batch_copy2(pairs); }

CopySummary batch_copytree(const PathPairs& pairs, bool symlinks, bool ignore_dangling_symlinks, bool dirs_exist_ok) {
  TreeCopyOptions o;
  o.symlinks = symlinks;
  o.ignore_dangling_symlinks = ignore_dangling_symlinks;
  o.dirs_exist_ok = dirs_exist_ok;
  return EACopy(shutil_defaults()).batch_copytree(pairs, o);
}

DeltaStats delta_copy(const fs::path& src, const fs::path& dst, const fs::path& reference) {
  return EACopy(shutil_defaults()).delta_copy(src, dst, reference);
}

}  // namespace gitfleet::copy
