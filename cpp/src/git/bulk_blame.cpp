#include "gitfleet/git/bulk_blame.hpp"

#include <algorithm>
#include <future>
#include <mutex>

#include "gitfleet/core/thread_pool.hpp"

namespace gitfleet::git {

std::vector<FileBlame> bulk_blame(const std::string& repo_path, std::optional<std::vector<std::string>> paths,
                                  const BlameOptions& options, const CancellationToken& cancel,
                                  const BulkBlameProgressFn& progress, std::chrono::milliseconds progress_interval) {
  std::vector<FileBlame> files;
  {
    auto probe = BlameSessionPool::shared().acquire(repo_path);
    probe->check_revisions(options);
    for (std::string& path : paths ? std::move(*paths) : probe->files_at(options.rev))
      files.push_back({std::move(path), {}, {}});
  }
  BlameTally tally;
  std::mutex reporting;
  auto last_report = std::chrono::steady_clock::now();
  if (progress)
    tally.counted = [&] {
      // The walk that finds the reporter busy, or the interval not yet over, walks on.
      std::unique_lock<std::mutex> lock(reporting, std::try_to_lock);
      if (!lock) return;
      auto now = std::chrono::steady_clock::now();
      if (now - last_report < progress_interval) return;
      last_report = now;
      progress({tally.files_done.load(), files.size(), tally.lines_done.load(), tally.lines_total.load()});
    };
  std::size_t groups = std::min(files.size(), ThreadPool::shared().size());
  std::vector<std::future<void>> futures;
  for (std::size_t g = 0; g < groups; ++g)
    futures.push_back(ThreadPool::shared().submit([&, g] {
      std::vector<std::string> share;
      for (std::size_t i = g; i < files.size(); i += groups) share.push_back(files[i].path);
      try {
        auto session = BlameSessionPool::shared().acquire(repo_path);
        std::vector<std::exception_ptr> errors;
        std::vector<BlameResult> results = session->blame_together(share, options, cancel, errors, &tally);
        for (std::size_t k = 0, i = g; i < files.size(); ++k, i += groups) {
          files[i].error = errors[k];
          if (!errors[k]) files[i].result = std::move(results[k]);
        }
      } catch (...) {
        for (std::size_t i = g; i < files.size(); i += groups) files[i].error = std::current_exception();
      }
    }));
  for (auto& f : futures) f.get();
  cancel.throw_if_cancelled();
  if (progress) progress({files.size(), files.size(), tally.lines_done.load(), tally.lines_total.load()});
  return files;
}

}  // namespace gitfleet::git
