#pragma once
// The copy engine's C++ API, mirroring py_eacopy: an EACopy object holding a Config, and free
// functions using a default Config. Everything throws Error.
//
//   gitfleet::copy::EACopy eacopy(gitfleet::copy::Config{}.with_thread_count(8));
//   auto summary = eacopy.copytree("build/out", "/share/build-1234");
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "gitfleet/copy/config.hpp"
#include "gitfleet/core/error.hpp"
#include "gitfleet/copy/delta.hpp"
#include "gitfleet/copy/file_copy.hpp"
#include "gitfleet/copy/tree_copy.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

using PathPairs = std::vector<std::pair<std::string, std::string>>;

class EACopy {
 public:
  EACopy() = default;
  explicit EACopy(Config config) : config_(std::move(config)) { config_.validate(); }

  const Config& config() const { return config_; }
  void set_config(Config config) {
    config.validate();
    config_ = std::move(config);
  }
  void set_progress_callback(ProgressCallback callback) { config_.progress_callback = std::move(callback); }

  // shutil.copyfile / copy / copy2; copy and copy2 return the file written (dst, or
  // dst/basename(src) when dst is a directory). Symlinks follow config.follow_symlinks.
  std::filesystem::path copyfile(const std::filesystem::path& src, const std::filesystem::path& dst,
                                 const CancellationToken& cancel = CancellationToken()) const;
  std::filesystem::path copy(const std::filesystem::path& src, const std::filesystem::path& dst,
                             const CancellationToken& cancel = CancellationToken()) const;
  std::filesystem::path copy2(const std::filesystem::path& src, const std::filesystem::path& dst,
                              const CancellationToken& cancel = CancellationToken()) const;

  // shutil.copytree; `options.metadata` is overridden by config.preserve_metadata.
  CopySummary copytree(const std::filesystem::path& src, const std::filesystem::path& dst,
                       TreeCopyOptions options = {}, const CancellationToken& cancel = CancellationToken()) const;

  CopySummary batch_copy(const PathPairs& pairs, const CancellationToken& cancel = CancellationToken()) const;
  CopySummary batch_copy2(const PathPairs& pairs, const CancellationToken& cancel = CancellationToken()) const;
  CopySummary batch_copytree(const PathPairs& pairs, const TreeCopyOptions& options = {},
                             const CancellationToken& cancel = CancellationToken()) const;

  DeltaStats delta_copy(const std::filesystem::path& src, const std::filesystem::path& dst,
                        const std::filesystem::path& reference, const CancellationToken& cancel = CancellationToken()) const;

 private:
  std::filesystem::path copy_one(const std::filesystem::path& src, const std::filesystem::path& dst,
                                 Metadata metadata, bool into_directory, const CancellationToken& cancel) const;
  FileCopyOptions file_options(Metadata metadata, const CancellationToken& cancel) const;

  Config config_;
};

// The same operations with a default Config (shutil's defaults: symlinks followed).
std::filesystem::path copyfile(const std::filesystem::path& src, const std::filesystem::path& dst);
std::filesystem::path copy(const std::filesystem::path& src, const std::filesystem::path& dst);
std::filesystem::path copy2(const std::filesystem::path& src, const std::filesystem::path& dst);
CopySummary copytree(const std::filesystem::path& src, const std::filesystem::path& dst, bool symlinks = false,
                     bool ignore_dangling_symlinks = false, bool dirs_exist_ok = false);
CopySummary batch_copy(const PathPairs& pairs);
CopySummary batch_copy2(const PathPairs& pairs);
CopySummary batch_copytree(const PathPairs& pairs, bool symlinks = false, bool ignore_dangling_symlinks = false,
                           bool dirs_exist_ok = false);
DeltaStats delta_copy(const std::filesystem::path& src, const std::filesystem::path& dst,
                      const std::filesystem::path& reference);

}  // namespace gitfleet::copy
