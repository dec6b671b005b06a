#pragma once
// The deduplicating copy server (after EA's EACopyService): clients upload trees into, and
// download trees from, a directory (its root). The server remembers what it has written
// (by relative name, size and mtime, and by content hash) and hard-links a file it already
// holds instead of receiving it again; a changed file travels as a delta against its previous
// version. Protocol and guarantees: docs/copy_server.md.
//
//   gitfleet::copy::ServerOptions options;
//   options.root = "/srv/builds";
//   options.secret = load_secret();
//   gitfleet::copy::CopyServer server(options);
//   server.start();   // serves on its own threads until stop() or destruction
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace gitfleet::copy {

struct ServerOptions {
  std::string host = "127.0.0.1";  // the address to listen on ("::1", "0.0.0.0", a name...)
  std::uint16_t port = 31337;      // 0: any free port (see CopyServer::port)
  unsigned thread_count = 4;       // authenticated connections served at once
  unsigned max_connections = 64;   // authenticated, served plus waiting; beyond it "busy"
  std::filesystem::path root;      // every path a client names is resolved under it
  std::string secret;              // shared with clients; never sent over the network
  std::chrono::milliseconds idle_timeout{30000};  // a silent authenticated peer is disconnected
  // Peers that have not proved the secret hold no worker: they must finish the handshake
  // within handshake_timeout (in all, not per byte), and at most max_unauthenticated of them
  // (max_unauthenticated_per_address from one address) are kept; a newcomer beyond a limit
  // pushes out the oldest.
  std::chrono::milliseconds handshake_timeout{10000};
  unsigned max_unauthenticated = 64;
  unsigned max_unauthenticated_per_address = 8;
  std::size_t history_size = 1000000;             // files remembered for linking (LRU)
  std::filesystem::path history_file;             // empty: the history lives in memory only
  // Link a file the history knows by name, size and mtime without hashing it first (EACopy's
  // behaviour). Off: such a match is confirmed by the content hash, since files of
  // reproducible builds share mtimes while their content differs.
  bool trust_metadata = false;
};

struct ServerStats {
  std::uint64_t connections = 0;  // accepted, including refused and busy ones
  std::uint64_t active_connections = 0;
  std::uint64_t connections_refused = 0;  // failed, timed-out or pushed-out handshakes; "busy" answers
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t files_sent = 0;      // downloads: copied or delta-sent to clients
  std::uint64_t files_received = 0;  // uploads: written from content or a delta
  std::uint64_t files_linked = 0;    // uploads: hard-linked from the history
  std::uint64_t files_skipped = 0;   // already identical at the destination
  std::uint64_t history_entries = 0;
};

class CopyServer {
 public:
  // Checks the options (Error InvalidArgument: no secret, root not a directory, ...).
  explicit CopyServer(ServerOptions options);
  ~CopyServer();  // stops
  CopyServer(const CopyServer&) = delete;
  CopyServer& operator=(const CopyServer&) = delete;

  // Binds, loads the history file if any, and serves on background threads.
  void start();
  // Stops accepting, disconnects clients (their unfinished files are discarded), saves the
  // history file if any, and joins the threads. Idempotent.
  void stop();
  bool is_running() const;
  ServerStats stats() const;
  std::uint16_t port() const;  // the bound port once started
  unsigned thread_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitfleet::copy
