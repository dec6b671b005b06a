#pragma once
// The two ends of a copy-protocol transfer (private), shared by the server and the client:
// the Sender walks a local tree and offers each file; the Receiver decides for each offer
// (Skip, Link from its history, Delta against a previous version, or Copy), writes the file
// atomically and reports. Uploads run Sender on the client and Receiver on the server;
// downloads the other way round.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>

#include "compression.hpp"
#include "confined_dir.hpp"
#include "connection.hpp"
#include "copy_history.hpp"
#include "file_ops.hpp"
#include "gitfleet/copy/tree_copy.hpp"
#include "gitfleet/core/cancellation.hpp"

namespace gitfleet::copy {

// Files below this size are copied whole: a signature would cost more than it saves.
constexpr std::uint64_t kDeltaMinSize = 64 * 1024;
// Offers sent before their answers are read: skipped and linked files cost one round trip
// per batch instead of one each.
constexpr std::size_t kBatchFiles = 256;

// A server's running totals, updated by transfers as they go (may be absent).
struct TransferCounters {
  std::atomic<std::uint64_t> files_sent{0}, files_received{0}, files_linked{0}, files_skipped{0};
};

class Sender {
 public:
  Sender(Connection& conn, int compression_level, const CancellationToken& cancel, TransferCounters* counters = nullptr,
         const FileEventCallback* events = nullptr);

  // Offers every regular file beneath dir_fd, named relative to it. follow_symlinks: a
  // symlink to a regular file is sent as that file (a client's own tree); otherwise
  // symlinks are not sent (a server never follows a link out of its root). Directory
  // symlinks and special files are recorded as failures.
  void send_tree(int dir_fd, bool follow_symlinks);
  // Offers one file (`name` in dir_fd) as `rel` (with the next batch).
  void send_file(int dir_fd, const std::string& name, const std::string& rel, bool follow_symlinks);
  // Settles the files offered so far, ends the transfer and waits for the acknowledgement.
  void finish();

  const CopySummary& summary() const { return summary_; }
  int compression_level() const { return compressor_.level(); }

 private:
  struct Queued {
    protocol::Offer offer;
    UniqueFd fd;
  };
  void walk(int dir_fd, const std::string& prefix, bool follow_symlinks);
  void flush();
  void settle(const Queued& file, const protocol::Decision& decision);
  // Reads the offered bytes in chunks, passing each to `each` (may be empty), then sends `end`
  // with their hash; a file that shrank or fails to read is aborted instead.
  void read_through(int fd, const protocol::Offer& offer, protocol::FrameType end,
                    const std::function<void(std::string_view)>& each);
  void send_hash(int fd, const protocol::Offer& offer);
  void collect_results();
  void stream_content(int fd, const protocol::Offer& offer);
  void stream_delta(int fd, const protocol::Offer& offer);
  // A file that could not even be offered: failed, and the receiver is told.
  void unsent(const std::string& rel, const std::string& message, int sys_errno = 0);

  Connection& conn_;
  ChunkCompressor compressor_;
  const CancellationToken& cancel_;
  TransferCounters* counters_;
  FileEvents events_;
  CopySummary summary_;
  std::string buffer_;
  std::vector<Queued> batch_;
  std::deque<std::pair<std::string, std::uint64_t>> awaiting_;  // files sent, result not yet read
};

// Offers a sender may make before a Flush: what one connection makes the receiver hold.
constexpr std::size_t kMaxPendingOffers = 4 * kBatchFiles;

// What a server's receiver has beyond a client's: its history and where it lives.
struct ServerSide {
  CopyHistory* history = nullptr;
  int root_fd = -1;           // where history paths are resolved
  std::string stored_prefix;  // the transfer's directory under the root ("" or ".../")
  TransferCounters* counters = nullptr;
  // EACopy's rule: a history entry of the same name, size and mtime is linked without
  // checking its content. Off by default: reproducible builds give different content
  // the same mtime, so the content hash must confirm the match first.
  bool trust_metadata = false;
};

class Receiver {
 public:
  // Writes beneath transfer_fd; a server passes its side (a client's download does not, and
  // keeps every failure in its summary).
  Receiver(Connection& conn, int transfer_fd, const CancellationToken& cancel, const ServerSide* server = nullptr,
           const FileEventCallback* events = nullptr);

  // Answers offers until the sender ends the transfer.
  void run();
  const CopySummary& summary() const { return summary_; }

 private:
  struct Target {
    int parent = -1;     // the destination's directory
    std::string name;    // the destination's name in it
    std::string stored;  // the destination relative to the server's root (history key)
  };
  struct Pending {  // an offer answered NeedHash, Copy or Delta: settled at the batch's end
    protocol::Offer offer;
    protocol::Verdict verdict;
  };
  Target target_of(const protocol::Offer& offer);
  // The first answer to an offer (sent); a verdict when the file needs more than that.
  std::optional<protocol::Verdict> decide(const protocol::Offer& offer);
  // A batch is settled in two passes: the hashes asked for (each answered with a second
  // decision), then the contents, in offer order.
  void settle_hash(Pending& pending);
  void receive_content(const Pending& pending);
  // Gives the destination the content of a history entry without it travelling: a hard link
  // when the stored file already has the offered mode and mtime, a local copy otherwise.
  bool try_link(const HistoryEntry& entry, const protocol::Offer& offer, Target& target);
  bool copy_stored(int stored_parent, const std::string& stored_name, const protocol::Offer& offer,
                   const Target& target);
  void failed(const std::string& path, const std::string& message, int sys_errno = 0);
  bool has_reference(const protocol::Offer& offer, const Target& target);
  UniqueFd open_reference(const protocol::Offer& offer, const Target& target, std::uint64_t& size);
  // Receives the content (whole, or as a delta); with `error` set it only drains it.
  void receive_content(const protocol::Offer& offer, const Target& target, bool delta,
                       std::optional<std::string> error);
  // The file a history entry names, checked (a regular file of the recorded size and mtime):
  // its directory and stat; false, and the entry forgotten, when it is gone or changed.
  bool find_stored(const HistoryEntry& entry, int& parent, struct stat& st);
  void skip(const protocol::Offer& offer);
  void refuse(const protocol::Offer& offer, const std::string& message, int sys_errno = 0);  // as the Decision
  void report(const protocol::Offer& offer, const std::string& error);  // as the FileResult
  void record(const protocol::Offer& offer, const protocol::ContentHash& hash, std::int64_t stored_mtime);

  Connection& conn_;
  int transfer_fd_;
  const CancellationToken& cancel_;
  ServerSide server_;
  CopyHistory* history_;
  TransferCounters* counters_;
  bool keep_failures_;
  FileEvents events_;
  std::uint32_t mode_mask_;  // offered modes lose setuid, setgid, sticky and the umask's bits
  CopySummary summary_;
  ChunkDecoder decoder_;
  std::vector<Pending> pending_;
  DirCache target_dirs_;  // beneath the transfer's directory
  DirCache stored_dirs_;  // beneath the root, for history entries
};

}  // namespace gitfleet::copy
