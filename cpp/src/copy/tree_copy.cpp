#include "gitfleet/copy/tree_copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "attempts.hpp"
#include "file_ops.hpp"

namespace gitfleet::copy {
namespace fs = std::filesystem;

void CopySummary::merge(const CopySummary& o) {
  files_total += o.files_total;
  files_copied += o.files_copied;
  files_linked += o.files_linked;
  files_skipped += o.files_skipped;
  files_failed += o.files_failed;
  dirs_failed += o.dirs_failed;
  bytes_total += o.bytes_total;
  bytes_copied += o.bytes_copied;
  bytes_linked += o.bytes_linked;
  bytes_skipped += o.bytes_skipped;
  bytes_sent += o.bytes_sent;
  compression_level = std::max(compression_level, o.compression_level);
  dirs_created += o.dirs_created;
  entries_purged += o.entries_purged;
  retries += o.retries;
  seconds += o.seconds;
  failures.insert(failures.end(), o.failures.begin(), o.failures.end());
}

namespace {

constexpr std::size_t kFilesPerBatch = 64;
constexpr std::size_t kMaxQueuedBatches = 4096;  // beyond this a lister copies its own files

struct FileJob {
  fs::path src;
  fs::path dst;
  std::string name;          // reported in progress and failures
  bool dst_may_exist = true;  // false: the destination directory was created by this copy
  bool as_symlink = false;    // copy the link itself
  bool into_directory = false;  // dst may be a directory receiving basename(src)
};

struct Work {
  bool is_dir = false;
  std::string rel;             // directory work: path relative to the roots
  bool dst_preexisting = false;
  std::vector<FileJob> files;  // file work
};

struct DirToFinish {
  std::string rel;
  struct stat st;
};

bool fnmatch_any(const std::vector<std::string>& patterns, const std::string& name, const std::string& rel) {
  for (const auto& p : patterns) {
    bool has_slash = p.find('/') != std::string::npos;
    if (::fnmatch(p.c_str(), has_slash ? rel.c_str() : name.c_str(), has_slash ? FNM_PATHNAME : 0) == 0)
      return true;
  }
  return false;
}

std::string join_rel(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

// The engine behind copy_tree and copy_files: a queue of directory and file-batch work,
// `thread_count` workers, counters, and the error strategy applied per unit.
class Copier {
 public:
  Copier(const fs::path& src_root, const fs::path& dst_root, const TreeCopyOptions& options, const Config& config,
         const CancellationToken& cancel)
      : src_root_(src_root), dst_root_(dst_root), opt_(options), cfg_(config), cancel_(cancel) {}

  void push(Work work) {
    std::lock_guard lock(mutex_);
    ++pending_;
    queue_.push_back(std::move(work));
    wake_.notify_one();
  }

  void remember_dir(const std::string& rel, const struct stat& st) {
    std::lock_guard lock(mutex_);
    dirs_to_finish_.push_back({rel, st});
  }

  void run() {
    std::vector<std::thread> threads;
    unsigned n = std::max(1u, cfg_.thread_count);
    for (unsigned i = 0; i < n; ++i) threads.emplace_back([this] { worker(); });
    for (auto& t : threads) t.join();
    if (error_) std::rethrow_exception(error_);
  }

  // shutil.copytree's last step per directory (deepest first): mode, then times.
  void finish_directories() {
    std::sort(dirs_to_finish_.begin(), dirs_to_finish_.end(), [](const auto& a, const auto& b) {
      return std::count(a.rel.begin(), a.rel.end(), '/') > std::count(b.rel.begin(), b.rel.end(), '/');
    });
    for (const auto& d : dirs_to_finish_) {
      fs::path dst = d.rel.empty() ? dst_root_ : dst_root_ / d.rel;
      int err = ::chmod(dst.c_str(), d.st.st_mode & 07777) != 0 ? errno : 0;
      if (opt_.metadata == Metadata::All) {
        struct timespec times[2] = {d.st.st_atim, d.st.st_mtim};
        if (::utimensat(AT_FDCWD, dst.c_str(), times, 0) != 0 && !err) err = errno;
      }
      if (err) fail_or_record(d.rel, Error::from_errno(err, dst), dirs_failed_);  // one failure per directory
    }
  }

  void fill(CopySummary& s) {
    s.files_total = files_total_;
    s.files_copied = files_copied_;
    s.files_skipped = files_skipped_;
    s.files_failed = files_failed_;
    s.dirs_failed = dirs_failed_;
    s.bytes_total = bytes_total_;
    s.bytes_copied = bytes_copied_;
    s.bytes_skipped = bytes_skipped_;
    s.dirs_created += dirs_created_;
    s.entries_purged = entries_purged_;
    s.retries = retries_;
    s.failures = std::move(failures_);
  }

  std::atomic<std::uint64_t> dirs_created_{0};

 private:
  void worker() {
    for (;;) {
      Work work;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || !queue_.empty() || pending_ == 0; });
        if (stop_ || queue_.empty()) return;
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      try {
        cancel_.throw_if_cancelled();
        if (work.is_dir)
          list_directory(work);
        else
          copy_batch(work.files);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        stop_ = true;
        wake_.notify_all();
      }
      std::lock_guard lock(mutex_);
      if (--pending_ == 0) wake_.notify_all();
    }
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stop_;
  }

  // A failed file or directory (counted apart, so files_total still adds up) under Ignore.
  void record(const std::string& name, const Error& e, std::atomic<std::uint64_t>& failed) {
    ++failed;
    events_(FileOutcome::Failed, name, 0, e.what());
    std::lock_guard lock(mutex_);
    failures_.push_back(CopyFailure::of(name, e));
  }

  void fail_or_record(const std::string& name, const Error& e, std::atomic<std::uint64_t>& failed) {
    if (cfg_.error_strategy != ErrorStrategy::Ignore) throw e;
    record(name, e, failed);
  }

  template <class Op>
  bool guarded(const std::string& name, std::atomic<std::uint64_t>& failed, Op&& op) {
    return attempt(cfg_, cancel_, retries_, op, [&](const Error& e) { record(name, e, failed); });
  }

  void list_directory(const Work& work) {
    const fs::path src_dir = work.rel.empty() ? src_root_ : src_root_ / work.rel;
    const fs::path dst_dir = work.rel.empty() ? dst_root_ : dst_root_ / work.rel;
    std::vector<FileJob> batch;
    std::unordered_set<std::string> source_names;
    bool listed = guarded(work.rel.empty() ? "." : work.rel, dirs_failed_, [&] {
      batch.clear();
      source_names.clear();
      DIR* dir = ::opendir(src_dir.c_str());
      if (!dir) throw Error::from_errno(errno, src_dir);
      std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
      errno = 0;
      while (dirent* e = ::readdir(dir)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        visit_entry(work, name, e->d_type, batch, source_names);
        if (batch.size() >= kFilesPerBatch) flush(batch);
        errno = 0;
      }
      if (errno != 0) throw Error::from_errno(errno, src_dir);
    });
    if (!listed) return;
    if (work.dst_preexisting) tidy_destination(work.rel, dst_dir, source_names);
    copy_batch(batch);
  }

  void visit_entry(const Work& work, const std::string& name, unsigned char type, std::vector<FileJob>& batch,
                   std::unordered_set<std::string>& source_names) {
    const std::string rel = join_rel(work.rel, name);
    if (fnmatch_any(opt_.exclude, name, rel)) return;
    const fs::path src = src_root_ / rel;
    struct stat st;
    bool have_stat = false;
    if (type == DT_UNKNOWN) {
      if (::lstat(src.c_str(), &st) != 0) throw Error::from_errno(errno, src);
      have_stat = true;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    bool is_dir = type == DT_DIR;
    bool as_symlink = false;
    if (type == DT_LNK) {
      if (opt_.symlinks) {
        as_symlink = true;
      } else if (::stat(src.c_str(), &st) == 0) {
        have_stat = true;
        is_dir = S_ISDIR(st.st_mode);
      } else if (errno == ENOENT && opt_.ignore_dangling_symlinks) {
        return;
      }  // else: a dangling link fails when its copy is attempted, under the error strategy
    }
    source_names.insert(name);
    if (is_dir) {
      if (!have_stat && ::stat(src.c_str(), &st) != 0) throw Error::from_errno(errno, src);
      make_directory(rel, st, work.dst_preexisting);
      return;
    }
    if (!as_symlink && !opt_.include.empty() && !fnmatch_any(opt_.include, name, rel)) return;
    batch.push_back({src, dst_root_ / rel, rel, work.dst_preexisting, as_symlink, false});
  }

  void make_directory(const std::string& rel, const struct stat& st, bool parent_preexisting) {
    const fs::path dst = dst_root_ / rel;
    bool preexisting = false;
    guarded(rel, dirs_failed_, [&] {
      if (::mkdir(dst.c_str(), 0777) == 0) {
        ++dirs_created_;
        return;
      }
      int err = errno;
      struct stat dst_st;
      if (err == EEXIST && parent_preexisting && ::stat(dst.c_str(), &dst_st) == 0 && S_ISDIR(dst_st.st_mode)) {
        if (!opt_.dirs_exist_ok) throw Error::from_errno(EEXIST, dst);
        preexisting = true;
        return;
      }
      throw Error::from_errno(err, dst);
    });
    remember_dir(rel, st);
    push(Work{true, rel, preexisting, {}});
  }

  void flush(std::vector<FileJob>& batch) {
    bool queue_full;
    {
      std::lock_guard lock(mutex_);
      queue_full = queue_.size() >= kMaxQueuedBatches;
    }
    if (queue_full) {
      copy_batch(batch);
    } else {
      push(Work{false, {}, false, std::move(batch)});
    }
    batch.clear();
  }

  // In a directory that existed before: remove what an interrupted run left behind, and
  // with mirror, what the source does not have (excluded names are left alone).
  void tidy_destination(const std::string& rel, const fs::path& dst_dir,
                        const std::unordered_set<std::string>& source_names) {
    DIR* dir = ::opendir(dst_dir.c_str());
    if (!dir) return;
    std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
    std::vector<std::pair<std::string, bool>> extras;  // name, an interrupted run's leftover
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || source_names.count(name)) continue;
      bool leftover = is_leftover_temporary(dst_dir / name);
      if (leftover || (opt_.mirror && !opt_.files && !fnmatch_any(opt_.exclude, name, join_rel(rel, name))))
        extras.emplace_back(name, leftover);
    }
    for (const auto& [name, leftover] : extras) {
      std::error_code ec;
      auto removed = fs::remove_all(dst_dir / name, ec);
      if (ec)
        fail_or_record(join_rel(rel, name), Error::from_errno(ec.value(), dst_dir / name), files_failed_);
      else if (!leftover)
        entries_purged_ += removed;
    }
  }

  bool unchanged(const FileJob& job, std::uint64_t& size) {
    if (job.as_symlink) {  // a link is unchanged when it points to the same place
      std::error_code e1, e2;
      auto a = fs::read_symlink(job.src, e1), b = fs::read_symlink(job.dst, e2);
      return !e1 && !e2 && a == b;
    }
    struct stat s, d;
    if (::stat(job.src.c_str(), &s) != 0 || ::lstat(job.dst.c_str(), &d) != 0) return false;
    size = static_cast<std::uint64_t>(s.st_size);
    return S_ISREG(s.st_mode) && S_ISREG(d.st_mode) && s.st_size == d.st_size &&
           s.st_mtim.tv_sec == d.st_mtim.tv_sec && s.st_mtim.tv_nsec == d.st_mtim.tv_nsec;
  }

  void copy_batch(const std::vector<FileJob>& jobs) {
    FileCopyOptions fo;
    fo.metadata = opt_.metadata;
    fo.buffer_size = cfg_.buffer_size;
    fo.progress = cfg_.progress_callback ? &cfg_.progress_callback : nullptr;
    fo.cancel = cancel_;
    for (const auto& job : jobs) {
      if (stopping()) return;
      cancel_.throw_if_cancelled();
      ++files_total_;
      std::uint64_t size = 0;
      if (opt_.skip_unchanged && job.dst_may_exist && unchanged(job, size)) {
        ++files_skipped_;
        bytes_total_ += size;
        bytes_skipped_ += size;
        events_(FileOutcome::Skipped, job.name, size);
        continue;
      }
      std::uint64_t copied = 0;
      bool ok = guarded(job.name, files_failed_, [&] {
        const fs::path dst = job.into_directory ? destination_in(job.src, job.dst) : job.dst;
        if (job.as_symlink) {
          std::error_code ec;
          fs::path target = fs::read_symlink(job.src, ec);
          if (ec) throw Error::from_errno(ec.value(), job.src);
          replace_with_symlink(target.string(), dst, job.src, opt_.metadata);
          return;
        }
        fo.progress_name = job.name;
        fo.destination_absent = !job.dst_may_exist;
        copied = copy_file(job.src, dst, fo).bytes;
      });
      if (ok) {
        ++files_copied_;
        bytes_total_ += copied;
        bytes_copied_ += copied;
        events_(FileOutcome::Copied, job.name, copied);
      }
    }
  }

  fs::path src_root_;
  fs::path dst_root_;
  const TreeCopyOptions& opt_;
  const Config& cfg_;
  const CancellationToken& cancel_;
  FileEvents events_{&cfg_.file_event_callback};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Work> queue_;
  std::size_t pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<DirToFinish> dirs_to_finish_;
  std::vector<CopyFailure> failures_;

  std::atomic<std::uint64_t> files_total_{0}, files_copied_{0}, files_skipped_{0}, files_failed_{0}, dirs_failed_{0};
  std::atomic<std::uint64_t> bytes_total_{0}, bytes_copied_{0}, bytes_skipped_{0};
  std::atomic<std::uint64_t> entries_purged_{0}, retries_{0};
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A listed relative path must stay inside the tree.
std::string checked_relative(const std::string& rel) {
  fs::path p(rel);
  bool bad = rel.empty() || p.is_absolute();
  for (const auto& part : p)
    if (part == "..") bad = true;
  if (bad) throw Error(ErrorCode::InvalidArgument, 0, "files: '" + rel + "' is not a relative path inside the tree");
  return p.lexically_normal().string();
}

}  // namespace

CopySummary copy_tree(const fs::path& src, const fs::path& dst, const TreeCopyOptions& options, const Config& config,
                      const CancellationToken& cancel) {
  config.validate();
  const auto start = std::chrono::steady_clock::now();
  struct stat src_st;
  if (::stat(src.c_str(), &src_st) != 0) throw Error::from_errno(errno, src);
  if (!S_ISDIR(src_st.st_mode)) throw Error::from_errno(ENOTDIR, src);

  // Before anything is created: a refused copy leaves no trace.
  std::error_code ec;
  fs::path src_real = fs::canonical(src, ec), dst_real = fs::weakly_canonical(fs::absolute(dst), ec);
  if (!ec) {
    auto [s_end, d_it] = std::mismatch(src_real.begin(), src_real.end(), dst_real.begin(), dst_real.end());
    if (s_end == src_real.end())
      throw Error(ErrorCode::InvalidArgument, 0,
                      "cannot copy '" + src.string() + "' into itself ('" + dst.string() + "')", src.string(),
                      dst.string());
  }

  CopySummary summary;
  bool preexisting = false;
  if (fs::is_directory(dst, ec)) {
    if (!options.dirs_exist_ok) throw Error::from_errno(EEXIST, dst);
    preexisting = true;
  } else {
    for (fs::path p = dst; !p.empty() && !fs::exists(fs::symlink_status(p)); p = p.parent_path()) {
      ++summary.dirs_created;
      if (p == p.parent_path()) break;
    }
    fs::create_directories(dst, ec);
    if (ec) throw Error::from_errno(ec.value(), dst);
  }
  Copier copier(src, dst, options, config, cancel);
  if (options.files) {
    std::vector<FileJob> batch;
    for (const auto& listed : *options.files) {
      std::string rel = checked_relative(listed);
      fs::path parent = (dst / rel).parent_path();
      if (!fs::is_directory(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) throw Error::from_errno(ec.value(), parent);
        ++copier.dirs_created_;
      }
      batch.push_back({src / rel, dst / rel, rel, true, options.symlinks && fs::is_symlink(src / rel, ec), false});
      if (batch.size() >= kFilesPerBatch) copier.push(Work{false, {}, false, std::exchange(batch, {})});
    }
    if (!batch.empty()) copier.push(Work{false, {}, false, std::move(batch)});
  } else {
    copier.remember_dir("", src_st);
    copier.push(Work{true, "", preexisting, {}});
  }
  copier.run();
  if (!options.files) copier.finish_directories();
  copier.fill(summary);
  summary.seconds = seconds_since(start);
  return summary;
}

CopySummary copy_files(const std::vector<std::pair<std::string, std::string>>& pairs, Metadata metadata,
                       const Config& config, const CancellationToken& cancel) {
  config.validate();
  const auto start = std::chrono::steady_clock::now();
  TreeCopyOptions options;
  options.metadata = metadata;
  Copier copier({}, {}, options, config, cancel);
  std::vector<FileJob> batch;
  for (const auto& [src, dst] : pairs) {
    batch.push_back({src, dst, src, true, !config.follow_symlinks && fs::is_symlink(fs::path(src)), true});
    if (batch.size() >= 16) copier.push(Work{false, {}, false, std::exchange(batch, {})});
  }
  if (!batch.empty()) copier.push(Work{false, {}, false, std::move(batch)});
  copier.run();
  CopySummary summary;
  copier.fill(summary);
  summary.seconds = seconds_since(start);
  return summary;
}

}  // namespace gitfleet::copy
