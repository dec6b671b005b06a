#pragma once
// Copying one file the way shutil does (copyfile / copy / copy2), atomically: the content is
// written to an unnamed (O_TMPFILE) or hidden temporary file in the destination directory
// and only then linked or renamed to its final name, so no half-written file is ever
// visible there. The content moves by the fastest means the filesystems allow, chosen per
// file: reflink, copy_file_range, sendfile, then read/write.
#include <cstdint>
#include <filesystem>
#include <string>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

// What travels with the content: shutil.copyfile (None), shutil.copy (Mode), shutil.copy2
// (All: mode, extended attributes, access and modification times to the nanosecond).
enum class Metadata { None, Mode, All };

enum class ContentMethod { None, Reflink, CopyFileRange, Sendfile, ReadWrite };
const char* content_method_name(ContentMethod m) noexcept;

struct FileCopyOptions {
  Metadata metadata = Metadata::All;
  bool follow_symlinks = true;  // false: a symlink source is copied as a symlink
  std::size_t buffer_size = 8u << 20;
  const ProgressCallback* progress = nullptr;  // may be null
  std::string progress_name;                   // the name progress reports (default: src)
  CancellationToken cancel;  // a copy of the caller's token (a shared flag); never cancelled by default
  bool destination_absent = false;  // the caller knows dst does not exist (skips a stat)
};

struct FileCopyResult {
  std::uint64_t bytes = 0;
  ContentMethod method = ContentMethod::None;
};

// shutil.copyfile's contract: dst names the file to write (not its directory); a symlink at
// dst is written through. Throws Error.
FileCopyResult copy_file(const std::filesystem::path& src, const std::filesystem::path& dst,
                         const FileCopyOptions& options);

// shutil.copy's destination rule: a directory dst receives dst/basename(src).
std::filesystem::path destination_in(const std::filesystem::path& src, const std::filesystem::path& dst);

// Creates `target` as a symlink to `link_target` atomically (replacing what is there).
void replace_with_symlink(const std::string& link_target, const std::filesystem::path& target,
                          const std::filesystem::path& metadata_from, Metadata metadata);

// A temporary file an interrupted run of this engine left behind, which a rerun may remove:
// its name has the engine's pattern AND it carries the engine's extended attribute, so a
// user's file that merely looks like one is never skipped or removed.
bool is_leftover_temporary(const std::filesystem::path& path) noexcept;

// Test hook: makes the next `count` content writes fail with `sys_errno` (0 clears it).
// Lets tests exercise ENOSPC and EIO handling where no small filesystem can be mounted.
void inject_write_faults(int sys_errno, int count) noexcept;

}  // namespace gitfleet::copy
