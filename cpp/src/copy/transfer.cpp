#include "transfer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "confined_dir.hpp"
#include "file_ops.hpp"
#include "gitfleet/copy/delta.hpp"
#include "gitfleet/copy/file_copy.hpp"

namespace gitfleet::copy {
using namespace protocol;

namespace {

constexpr std::size_t kBlockWireSize = 20;  // weak u32, strong u64 + u64

std::int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

class Hasher {
 public:
  Hasher() : state_(XXH3_createState()) { XXH3_128bits_reset(state_.get()); }
  void update(std::string_view bytes) { XXH3_128bits_update(state_.get(), bytes.data(), bytes.size()); }
  ContentHash digest() const {
    XXH128_hash_t h = XXH3_128bits_digest(state_.get());
    return {h.low64, h.high64};
  }

 private:
  struct Free {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  std::unique_ptr<XXH3_state_t, Free> state_;
};

std::string describe(const Error& e) { return e.sys_errno() ? std::strerror(e.sys_errno()) : e.what(); }

// The process's umask without changing it (umask(2) would, for every thread): Linux's
// /proc/self/status says it; 022 where it does not.
mode_t process_umask() {
  static const mode_t mask = [] {
    std::FILE* f = std::fopen("/proc/self/status", "re");
    unsigned value = 022;
    if (f) {
      char line[256];
      while (std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "Umask: %o", &value) == 1) break;
      std::fclose(f);
    }
    return static_cast<mode_t>(value & 0777);
  }();
  return mask;
}

// A received file's mode (masked) and mtime, as offered.
void apply_offered(int fd, const Offer& offer, std::uint32_t mode_mask) {
  if (::fchmod(fd, offer.mode & mode_mask) != 0) fail(errno, offer.path);
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = offer.mtime_ns / 1000000000;
  times[0].tv_nsec = times[1].tv_nsec = offer.mtime_ns % 1000000000;
  if (times[0].tv_nsec < 0) {
    times[0].tv_nsec = times[1].tv_nsec += 1000000000;
    --times[0].tv_sec;
    --times[1].tv_sec;
  }
  if (::futimens(fd, times) != 0) fail(errno, offer.path);
}

void bump(TransferCounters* counters, std::atomic<std::uint64_t> TransferCounters::*counter) {
  if (counters) (counters->*counter).fetch_add(1, std::memory_order_relaxed);
}

void add_failure(CopySummary& summary, const std::string& path, const std::string& message, int sys_errno = 0) {
  ++summary.files_failed;
  summary.failures.push_back({path, message, sys_errno});
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Sender

Sender::Sender(Connection& conn, int compression_level, const CancellationToken& cancel, TransferCounters* counters,
               const FileEventCallback* events)
    : conn_(conn), compressor_(compression_level), cancel_(cancel), counters_(counters), events_(events) {}

void Sender::unsent(const std::string& rel, const std::string& message, int sys_errno) {
  ++summary_.files_total;
  add_failure(summary_, rel, message, sys_errno);
  events_(FileOutcome::Failed, rel, 0, message);
  conn_.send(FrameType::Unsent, Unsent{rel, message}.encode());
}

void Sender::send_tree(int dir_fd, bool follow_symlinks) { walk(dir_fd, "", follow_symlinks); }

void Sender::walk(int dir_fd, const std::string& prefix, bool follow_symlinks) {
  std::vector<std::pair<std::string, unsigned char>> entries;  // name, d_type
  {
    DIR* dir = ::fdopendir(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
    if (!dir) fail(errno, prefix.empty() ? "." : prefix);
    std::unique_ptr<DIR, int (*)(DIR*)> guard(dir, ::closedir);
    ::rewinddir(dir);
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." && !is_leftover_temporary(path_in(dir_fd, name)))
        entries.emplace_back(std::move(name), e->d_type);
    }
  }
  std::sort(entries.begin(), entries.end());  // a stable order: receivers keep one directory open
  for (const auto& [name, type] : entries) {
    cancel_.throw_if_cancelled();
    std::string rel = prefix + name;
    if (type == DT_REG) {  // send_file checks what it opened: no stat needed here
      send_file(dir_fd, name, rel, follow_symlinks);
      continue;
    }
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      unsent(rel, std::strerror(errno), errno);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      try {
        walk(open_beneath(dir_fd, name, false).get(), rel + "/", follow_symlinks);
      } catch (const Error& e) {
        if (e.code() == ErrorCode::Cancelled || e.code() == ErrorCode::Network) throw;
        unsent(rel, describe(e), e.sys_errno());
      }
    } else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && follow_symlinks)) {
      send_file(dir_fd, name, rel, follow_symlinks);
    } else {
      unsent(rel, S_ISLNK(st.st_mode) ? "symlinks are not sent by the server" : "not a regular file");
    }
  }
}

void Sender::send_file(int dir_fd, const std::string& name, const std::string& rel, bool follow_symlinks) {
  cancel_.throw_if_cancelled();
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow_symlinks ? 0 : O_NOFOLLOW)));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) return unsent(rel, std::strerror(errno), errno);
  if (!S_ISREG(st.st_mode))
    return unsent(rel, S_ISDIR(st.st_mode) ? "a symlink to a directory is not followed" : "not a regular file");
  ++summary_.files_total;
  Offer offer{rel, static_cast<std::uint64_t>(st.st_size), mtime_ns_of(st), static_cast<std::uint32_t>(st.st_mode & 07777)};
  summary_.bytes_total += offer.size;
  batch_.push_back({std::move(offer), std::move(fd)});
  if (batch_.size() >= kBatchFiles) flush();
}

void Sender::flush() {
  if (batch_.empty()) return;
  // All offers first, then all first answers: one round trip settles every skipped or
  // linked file of the batch; the others follow one by one.
  for (const auto& q : batch_) conn_.send(FrameType::Offer, q.offer.encode());
  conn_.send(FrameType::Flush, {});
  std::vector<Decision> decisions;
  decisions.reserve(batch_.size());
  for (std::size_t i = 0; i < batch_.size(); ++i) decisions.push_back(Decision::decode(conn_.expect(FrameType::Decision)));
  // The hashes the receiver asked for, all together, then its second answers.
  for (std::size_t i = 0; i < batch_.size(); ++i)
    if (decisions[i].verdict == Verdict::NeedHash) send_hash(batch_[i].fd.get(), batch_[i].offer);
  for (auto& d : decisions)
    if (d.verdict == Verdict::NeedHash) d = Decision::decode(conn_.expect(FrameType::Decision));
  for (std::size_t i = 0; i < batch_.size(); ++i) settle(batch_[i], decisions[i]);
  collect_results();
  batch_.clear();
}

void Sender::settle(const Queued& q, const Decision& d) {
  const Offer& offer = q.offer;
  switch (d.verdict) {
    case Verdict::Skip:
      ++summary_.files_skipped;
      summary_.bytes_skipped += offer.size;
      return events_(FileOutcome::Skipped, offer.path, offer.size);
    case Verdict::Link:
      ++summary_.files_linked;
      summary_.bytes_linked += offer.size;
      return events_(FileOutcome::Linked, offer.path, offer.size);
    case Verdict::Refuse:
      events_(FileOutcome::Failed, offer.path, 0, d.message);
      return add_failure(summary_, offer.path, d.message);
    case Verdict::NeedHash:
      throw ProtocolError("the receiver asked for a hash twice");
    case Verdict::Copy:
      stream_content(q.fd.get(), offer);
      break;
    case Verdict::Delta:
      collect_results();  // the receiver answers in order: earlier results precede the signature
      stream_delta(q.fd.get(), offer);
      break;
  }
  // The result is read later: the next file's content can follow at once.
  awaiting_.push_back({offer.path, offer.size});
}

void Sender::collect_results() {
  for (; !awaiting_.empty(); awaiting_.pop_front()) {
    FileResult result = FileResult::decode(conn_.expect(FrameType::FileResult));
    const auto& [path, size] = awaiting_.front();
    if (result.outcome == static_cast<std::uint8_t>(Verdict::Refuse)) {
      add_failure(summary_, path, result.message);
      events_(FileOutcome::Failed, path, 0, result.message);
      continue;
    }
    ++summary_.files_copied;
    summary_.bytes_copied += size;
    events_(result.outcome == static_cast<std::uint8_t>(Verdict::Delta) ? FileOutcome::Delta : FileOutcome::Copied,
            path, size);
    bump(counters_, &TransferCounters::files_sent);
  }
}

void Sender::read_through(int fd, const Offer& offer, FrameType end, const std::function<void(std::string_view)>& each) {
  Hasher h;
  buffer_.resize(kChunk);
  for (std::uint64_t done = 0; done < offer.size;) {
    cancel_.throw_if_cancelled();
    ssize_t n = ::pread(fd, buffer_.data(), std::min<std::uint64_t>(kChunk, offer.size - done), static_cast<off_t>(done));
    if (n <= 0) {
      std::string why = n < 0 ? std::strerror(errno) : "it shrank while being read";
      conn_.send(FrameType::FileAbort, ErrorMessage{ErrorCode::Io, why}.encode());
      return;
    }
    std::string_view chunk(buffer_.data(), static_cast<std::size_t>(n));
    h.update(chunk);
    if (each) each(chunk);
    done += static_cast<std::uint64_t>(n);
  }
  conn_.send(end, h.digest().encode());
}

void Sender::send_hash(int fd, const Offer& offer) { read_through(fd, offer, FrameType::FileHash, nullptr); }

void Sender::stream_content(int fd, const Offer& offer) {
  read_through(fd, offer, FrameType::FileEnd,
               [this](std::string_view chunk) { conn_.send(FrameType::Data, compressor_.encode(chunk)); });
}

void Sender::stream_delta(int fd, const Offer& offer) {
  SignatureHead head = SignatureHead::decode(conn_.expect(FrameType::SignatureHead));
  Signature sig;
  sig.block_size = head.block_size;
  sig.file_size = head.file_size;
  sig.blocks.reserve(std::min<std::size_t>(head.block_count, kSignatureBlocksPerFrame));  // grows as blocks arrive
  while (sig.blocks.size() < head.block_count) {
    std::string payload = conn_.expect(FrameType::SignatureBlocks);
    if (payload.empty() || payload.size() % kBlockWireSize != 0 ||
        payload.size() / kBlockWireSize > head.block_count - sig.blocks.size())
      throw ProtocolError("bad signature blocks frame");
    Reader r(payload);
    while (r.remaining()) {
      BlockSignature b;
      b.weak = r.u32();
      b.strong_lo = r.u64();
      b.strong_hi = r.u64();
      sig.blocks.push_back(b);
    }
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != offer.size) {
    conn_.send(FrameType::FileAbort, ErrorMessage{ErrorCode::Io, "it changed while being sent"}.encode());
    return;
  }
  Hasher h;
  try {
    compute_delta(
        FileSpan{fd, offer.size, offer.path}, sig,
        [&](const DeltaOp& op) {
          cancel_.throw_if_cancelled();
          if (op.kind == DeltaOp::Copy)
            conn_.send(FrameType::DeltaCopy, DeltaCopyRange{op.offset, op.length}.encode());
          else
            conn_.send(FrameType::Data, compressor_.encode(std::string_view(op.data, op.length)));
        },
        [&](std::string_view bytes) { h.update(bytes); });
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Io) throw;
    conn_.send(FrameType::FileAbort, ErrorMessage{ErrorCode::Io, e.what()}.encode());  // it shrank: this file fails alone
    return;
  }
  conn_.send(FrameType::FileEnd, h.digest().encode());
}

void Sender::finish() {
  flush();
  conn_.send(FrameType::TransferEnd, {});
  TransferSummary::decode(conn_.expect(FrameType::Summary));
}

// ---------------------------------------------------------------------------------------
// Receiver

Receiver::Receiver(Connection& conn, int transfer_fd, const CancellationToken& cancel, const ServerSide* server,
                   const FileEventCallback* events)
    : conn_(conn), transfer_fd_(transfer_fd), cancel_(cancel), server_(server ? *server : ServerSide{}),
      history_(server_.history), counters_(server_.counters), keep_failures_(server == nullptr), events_(events),
      mode_mask_(07777 & ~07000u & ~process_umask()) {}

// A server answers each failed file in its own frame; keeping them all as well would let one
// connection grow the server without bound.
void Receiver::failed(const std::string& path, const std::string& message, int sys_errno) {
  events_(FileOutcome::Failed, path, 0, message);
  if (keep_failures_) return add_failure(summary_, path, message, sys_errno);
  ++summary_.files_failed;
}

void Receiver::run() {
  for (;;) {
    cancel_.throw_if_cancelled();
    Frame f = conn_.receive();
    switch (f.type) {
      case FrameType::Offer: {
        if (pending_.size() >= kMaxPendingOffers)
          throw ProtocolError("more than " + std::to_string(kMaxPendingOffers) + " offers without a flush");
        Offer offer = Offer::decode(f.payload);
        if (auto verdict = decide(offer)) pending_.push_back({std::move(offer), *verdict});
        break;
      }
      case FrameType::Flush:
        Reader(f.payload).expect_end();
        for (auto& p : pending_)
          if (p.verdict == Verdict::NeedHash) settle_hash(p);
        for (const auto& p : pending_)
          if (p.verdict == Verdict::Copy || p.verdict == Verdict::Delta) receive_content(p);
        pending_.clear();
        break;
      case FrameType::Unsent: {
        Unsent u = Unsent::decode(f.payload);
        ++summary_.files_total;
        failed(u.path, "not sent: " + u.message);
        break;
      }
      case FrameType::TransferEnd: {
        Reader(f.payload).expect_end();
        if (!pending_.empty()) throw ProtocolError("the transfer ended with offered files unsettled");
        TransferSummary s;
        s.files_copied = summary_.files_copied;
        s.files_linked = summary_.files_linked;
        s.files_skipped = summary_.files_skipped;
        s.files_failed = summary_.files_failed;
        s.bytes_copied = summary_.bytes_copied;
        s.bytes_linked = summary_.bytes_linked;
        s.bytes_skipped = summary_.bytes_skipped;
        s.bytes_received = conn_.bytes_received();
        conn_.send(FrameType::Summary, s.encode());
        conn_.flush();  // the last word: nothing is read after it
        return;
      }
      default:
        throw ProtocolError("expected a file offer");
    }
  }
}

void Receiver::refuse(const Offer& offer, const std::string& message, int sys_errno) {
  conn_.send(FrameType::Decision, Decision{Verdict::Refuse, message}.encode());
  failed(offer.path, message, sys_errno);
}

void Receiver::record(const Offer& offer, const ContentHash& hash, std::int64_t stored_mtime) {
  if (history_)
    history_->record({offer.path, server_.stored_prefix + offer.path, offer.size, offer.mtime_ns, stored_mtime, hash});
}

Receiver::Target Receiver::target_of(const Offer& offer) {
  auto [rel_dir, name] = split_parent(offer.path);
  Target target;
  try {
    target.parent = target_dirs_.open(transfer_fd_, rel_dir, true, &summary_.dirs_created);
  } catch (const Error& e) {
    throw Error(e.code(), e.sys_errno(), describe(e) + ": '" + std::string(rel_dir) + "'");
  }
  target.name = name;
  target.stored = server_.stored_prefix + offer.path;
  return target;
}

std::optional<Verdict> Receiver::decide(const Offer& offer) {
  ++summary_.files_total;
  summary_.bytes_total += offer.size;
  Target target;
  try {
    target = target_of(offer);
  } catch (const Error& e) {
    refuse(offer, e.what(), e.sys_errno());
    return std::nullopt;
  }
  struct stat st;
  bool exists = ::fstatat(target.parent, target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) {
    refuse(offer, std::strerror(errno), errno);
    return std::nullopt;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    refuse(offer, S_ISLNK(st.st_mode)  ? "the destination is a symlink; not written through"
                  : S_ISDIR(st.st_mode) ? "a directory is in the way"
                                        : "the destination is a special file");
    return std::nullopt;
  }
  if (exists && static_cast<std::uint64_t>(st.st_size) == offer.size && mtime_ns_of(st) == offer.mtime_ns) {
    skip(offer);
    return std::nullopt;
  }
  Verdict verdict = Verdict::Copy;
  if (history_) {
    if (server_.trust_metadata || offer.size == 0) {  // an empty file's size says its content
      auto known = history_->by_key(offer.path, offer.size, offer.mtime_ns);
      if (known && try_link(*known, offer, target)) return std::nullopt;
    }
    if (offer.size > 0 && history_->has_size(offer.size)) verdict = Verdict::NeedHash;
  }
  if (verdict == Verdict::Copy && has_reference(offer, target)) verdict = Verdict::Delta;
  conn_.send(FrameType::Decision, Decision{verdict, {}}.encode());
  return verdict;
}

void Receiver::settle_hash(Pending& p) {
  Frame f = conn_.receive();
  p.verdict = Verdict::Refuse;  // settled by this answer unless content must follow
  if (f.type == FrameType::FileAbort)
    return refuse(p.offer, "the sender could not read it: " + ErrorMessage::decode(f.payload).message);
  if (f.type != FrameType::FileHash) throw ProtocolError("expected the file's hash");
  ContentHash hash = ContentHash::decode(f.payload);
  Target target;
  try {
    target = target_of(p.offer);
  } catch (const Error& e) {
    return refuse(p.offer, e.what(), e.sys_errno());
  }
  auto same = history_->by_content(p.offer.size, hash);
  if (same && try_link(*same, p.offer, target)) return;
  p.verdict = has_reference(p.offer, target) ? Verdict::Delta : Verdict::Copy;
  conn_.send(FrameType::Decision, Decision{p.verdict, {}}.encode());
}

void Receiver::receive_content(const Pending& p) {
  std::optional<std::string> error;
  Target target;
  try {
    target = target_of(p.offer);
  } catch (const Error& e) {
    error = e.what();
  }
  receive_content(p.offer, target, p.verdict == Verdict::Delta, std::move(error));
}

void Receiver::skip(const Offer& offer) {
  conn_.send(FrameType::Decision, Decision{Verdict::Skip, {}}.encode());
  ++summary_.files_skipped;
  summary_.bytes_skipped += offer.size;
  bump(counters_, &TransferCounters::files_skipped);
  events_(FileOutcome::Skipped, offer.path, offer.size);
}

void Receiver::report(const Offer& offer, const std::string& error) {
  conn_.send(FrameType::FileResult, FileResult{static_cast<std::uint8_t>(Verdict::Refuse), error}.encode());
  failed(offer.path, error);
}

bool Receiver::has_reference(const Offer& offer, const Target& target) {
  if (offer.size < kDeltaMinSize) return false;
  struct stat st;
  if (::fstatat(target.parent, target.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
      static_cast<std::uint64_t>(st.st_size) >= kDeltaMinSize)
    return true;
  if (!history_) return false;
  auto previous = history_->latest_named(offer.path);
  return previous && previous->size >= kDeltaMinSize;
}

UniqueFd Receiver::open_reference(const Offer& offer, const Target& target, std::uint64_t& size) {
  UniqueFd ref(::openat(target.parent, target.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  struct stat st;
  if (ref && ::fstat(ref.get(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) >= kDeltaMinSize) {
    size = static_cast<std::uint64_t>(st.st_size);
    return ref;
  }
  int parent = -1;
  if (history_) {
    if (auto previous = history_->latest_named(offer.path); previous && find_stored(*previous, parent, st)) {
      std::string name(split_parent(previous->stored).second);
      ref.reset(::openat(parent, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
      if (ref && ::fstat(ref.get(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) == previous->size) {
        size = previous->size;
        return ref;
      }
    }
  }
  size = 0;
  return {};
}

bool Receiver::find_stored(const HistoryEntry& entry, int& parent, struct stat& st) {
  auto [rel_dir, name] = split_parent(entry.stored);
  try {
    parent = stored_dirs_.open(server_.root_fd, rel_dir, false);
    std::string file(name);
    if (::fstatat(parent, file.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) == entry.size && mtime_ns_of(st) == entry.stored_mtime_ns)
      return true;
  } catch (const Error&) {
  }
  history_->forget(entry.stored);
  return false;
}

bool Receiver::try_link(const HistoryEntry& entry, const Offer& offer, Target& target) {
  int stored_parent = -1;
  struct stat stored_st, dst_st;
  if (!find_stored(entry, stored_parent, stored_st)) return false;
  if (entry.stored == target.stored ||
      (::fstatat(target.parent, target.name.c_str(), &dst_st, AT_SYMLINK_NOFOLLOW) == 0 &&
       dst_st.st_ino == stored_st.st_ino && dst_st.st_dev == stored_st.st_dev)) {
    skip(offer);  // the destination already is this content
    return true;
  }
  std::string stored_name(split_parent(entry.stored).second);
  // A link shares the stored file's mode and mtime: only when they are what was offered.
  if ((stored_st.st_mode & 07777) != (offer.mode & mode_mask_) || mtime_ns_of(stored_st) != offer.mtime_ns) {
    if (!copy_stored(stored_parent, stored_name, offer, target)) return false;
  } else if (::linkat(stored_parent, stored_name.c_str(), target.parent, target.name.c_str(), 0) != 0) {
    // An absent destination gets the link directly; an existing one is replaced by rename.
    if (errno != EEXIST) return false;  // another filesystem, too many links...: the content travels
    std::string temp = temporary_name();
    if (::linkat(stored_parent, stored_name.c_str(), target.parent, temp.c_str(), 0) != 0) return false;
    if (::renameat(target.parent, temp.c_str(), target.parent, target.name.c_str()) != 0) {
      ::unlinkat(target.parent, temp.c_str(), 0);
      return false;
    }
  }
  conn_.send(FrameType::Decision, Decision{Verdict::Link, {}}.encode());
  ++summary_.files_linked;
  summary_.bytes_linked += offer.size;
  bump(counters_, &TransferCounters::files_linked);
  record(offer, entry.hash, offer.mtime_ns);
  return true;
}

bool Receiver::copy_stored(int stored_parent, const std::string& stored_name, const Offer& offer,
                           const Target& target) {
  try {
    UniqueFd in(::openat(stored_parent, stored_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st;
    if (!in || ::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != offer.size)
      return false;
    TemporaryFile temp(path_in(target.parent, target.name));
    DeltaWriter(in.get(), temp.fd(), offer.path).apply(DeltaOp{DeltaOp::Copy, 0, offer.size, nullptr});
    apply_offered(temp.fd(), offer, mode_mask_);
    temp.publish();
    return true;
  } catch (const Error&) {  // it changed or vanished meanwhile: the content travels instead
    return false;
  }
}

namespace {

// The end of a file's content on the receiving side: checks size and hash, gives the file
// its mode and mtime, publishes it, and tells the sender. Returns the failure, if any.
std::optional<std::string> finish_file(TemporaryFile& temp, const Offer& offer, std::uint32_t mode_mask,
                                       std::uint64_t written, const ContentHash& got, const ContentHash& expected) {
  std::optional<std::string> error;
  if (written != offer.size) error = "received " + std::to_string(written) + " bytes, expected " +
                                                std::to_string(offer.size);
  if (!error && !(got == expected)) error = "content hash mismatch";
  if (!error) {
    try {
      apply_offered(temp.fd(), offer, mode_mask);
      temp.publish();
    } catch (const Error& e) {
      error = describe(e);
    }
  }
  return error;
}

}  // namespace

void Receiver::receive_content(const Offer& offer, const Target& target, bool delta,
                               std::optional<std::string> error) {
  std::optional<TemporaryFile> temp;
  if (!error) {
    try {
      temp.emplace(path_in(target.parent, target.name));
    } catch (const Error& e) {
      error = describe(e);
    }
  }
  // The sender was told Delta: it waits for a signature. Without a base (it vanished since),
  // an empty one makes the whole file literal.
  UniqueFd reference;
  std::uint64_t reference_size = 0;
  if (delta) {
    if (!error) reference = open_reference(offer, target, reference_size);
    Signature sig;
    try {
      sig = compute_signature(FileSpan{reference.get(), reference_size, offer.path}, choose_block_size(reference_size));
    } catch (const Error&) {  // the base shrank since: no base, the whole file comes literal
      reference = {};
      reference_size = 0;
      sig = Signature{choose_block_size(0), 0, {}};
    }
    conn_.send(FrameType::SignatureHead,
               SignatureHead{sig.block_size, sig.file_size, static_cast<std::uint32_t>(sig.blocks.size())}.encode());
    for (std::size_t i = 0; i < sig.blocks.size(); i += kSignatureBlocksPerFrame) {
      Writer w;
      for (std::size_t j = i; j < std::min(sig.blocks.size(), i + kSignatureBlocksPerFrame); ++j) {
        w.u32(sig.blocks[j].weak);
        w.u64(sig.blocks[j].strong_lo);
        w.u64(sig.blocks[j].strong_hi);
      }
      conn_.send(FrameType::SignatureBlocks, w.bytes());
    }
  }

  // Keep reading to the file's end whatever happens to the writing: the sender is streaming.
  // A delta's bytes are hashed as the writer produces them (reference blocks included).
  Hasher hasher;
  DeltaWriter writer(reference.get(), temp ? temp->fd() : -1, offer.path,
                     [&hasher](std::string_view bytes) { hasher.update(bytes); });
  std::uint64_t written = 0;
  auto take = [&](const DeltaOp& op) {
    if (op.length > offer.size - written) throw ProtocolError("more content than offered");
    written += op.length;
    if (error) return;
    try {
      if (delta) {
        writer.apply(op);
      } else {
        hasher.update(std::string_view(op.data, op.length));
        write_all(temp->fd(), std::string_view(op.data, op.length), offer.path);
      }
    } catch (const Error& e) {
      error = describe(e);
    }
  };
  ContentHash expected;
  for (;;) {
    Frame f = conn_.receive();
    if (f.type == FrameType::Data) {
      std::string_view raw = decoder_.decode(f.payload);
      take(DeltaOp{DeltaOp::Literal, 0, raw.size(), raw.data()});
    } else if (f.type == FrameType::DeltaCopy && delta) {
      DeltaCopyRange range = DeltaCopyRange::decode(f.payload);
      if (range.length > reference_size || range.offset > reference_size - range.length)
        throw ProtocolError("delta range beyond the reference");
      take(DeltaOp{DeltaOp::Copy, range.offset, range.length, nullptr});
    } else if (f.type == FrameType::FileAbort) {
      error = "the sender could not read it: " + ErrorMessage::decode(f.payload).message;
      written = offer.size;
      break;
    } else if (f.type == FrameType::FileEnd) {
      expected = ContentHash::decode(f.payload);
      break;
    } else {
      throw ProtocolError("unexpected frame in a file's content");
    }
  }
  ContentHash got = hasher.digest();
  if (!error) error = finish_file(*temp, offer, mode_mask_, written, got, expected);
  if (error) return report(offer, *error);
  conn_.send(FrameType::FileResult,
             FileResult{static_cast<std::uint8_t>(delta ? Verdict::Delta : Verdict::Copy), {}}.encode());
  ++summary_.files_copied;
  summary_.bytes_copied += offer.size;
  bump(counters_, &TransferCounters::files_received);
  events_(delta ? FileOutcome::Delta : FileOutcome::Copied, offer.path, offer.size);
  record(offer, got, offer.mtime_ns);
}

}  // namespace gitfleet::copy
