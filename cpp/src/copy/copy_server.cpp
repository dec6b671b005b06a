#include "gitfleet/copy/copy_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "confined_dir.hpp"
#include "connection.hpp"
#include "copy_history.hpp"
#include "handshake.hpp"
#include "gitfleet/core/error.hpp"
#include "transfer.hpp"

namespace gitfleet::copy {
using namespace protocol;

namespace {
constexpr auto kHistorySaveInterval = std::chrono::seconds(2);
}  // namespace

struct CopyServer::Impl {
  explicit Impl(ServerOptions o)
      : options(std::move(o)), history(options.history_size, options.history_file),
        handshakes(options.secret, HandshakeLimits{options.handshake_timeout, options.max_unauthenticated,
                                                   options.max_unauthenticated_per_address}) {}

  ServerOptions options;
  CopyHistory history;
  TransferCounters counters;
  UniqueFd root_fd;
  UniqueFd listener;
  std::uint16_t port = 0;
  std::atomic<bool> running{false};
  std::thread acceptor;
  std::vector<std::thread> workers;

  std::mutex mutex;
  std::condition_variable wake;
  PendingHandshakes handshakes;  // the accepting thread's alone
  std::deque<UniqueFd> waiting;  // authenticated, not yet served (bounded by max_connections)
  std::set<int> serving;         // fds being served: stop() shuts them down
  bool stopping = false;
  CancellationToken stopped;     // cancelled by stop(): transfers in progress end at their next file
  std::chrono::steady_clock::time_point last_save;

  std::atomic<std::uint64_t> connections{0}, refused{0}, bytes_sent{0}, bytes_received{0};
  std::uint64_t busy = 0;  // the accepting thread's

  void accept_loop();
  void accept_pending();
  void queue(UniqueFd fd);
  void work_loop();
  void serve(Connection& conn);
  void save_history_if_due(bool force);
};

CopyServer::CopyServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  const ServerOptions& o = impl_->options;
  if (o.secret.empty()) throw Error(ErrorCode::InvalidArgument, 0, "the copy server needs a shared secret (token)");
  if (o.thread_count == 0) throw Error(ErrorCode::InvalidArgument, 0, "thread_count must be at least 1");
  if (o.max_connections < o.thread_count)
    throw Error(ErrorCode::InvalidArgument, 0, "max_connections must be at least thread_count");
  if (o.idle_timeout.count() <= 0) throw Error(ErrorCode::InvalidArgument, 0, "idle_timeout must be positive");
  if (o.root.empty()) throw Error(ErrorCode::InvalidArgument, 0, "the copy server needs a root directory");
  if (o.handshake_timeout.count() <= 0)
    throw Error(ErrorCode::InvalidArgument, 0, "handshake_timeout must be positive");
  if (o.max_unauthenticated == 0 || o.max_unauthenticated_per_address == 0)
    throw Error(ErrorCode::InvalidArgument, 0, "max_unauthenticated and its per-address share must be at least 1");
  if (!o.history_file.empty()) {  // a server that could never save its history refuses to start
    std::filesystem::path dir = o.history_file.parent_path().empty() ? "." : o.history_file.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      throw Error(ErrorCode::NotFound, ENOENT, "the history file's directory does not exist", dir.string());
  }
}

CopyServer::~CopyServer() { stop(); }

void CopyServer::start() {
  Impl& s = *impl_;
  if (s.running) return;
  s.root_fd.reset(::open(s.options.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!s.root_fd) throw Error::from_errno(errno, s.options.root.string());
  s.history.load();
  s.listener = listen_on(s.options.host, s.options.port, s.port);
  ::fcntl(s.listener.get(), F_SETFL, ::fcntl(s.listener.get(), F_GETFL) | O_NONBLOCK);  // accepts until EAGAIN
  s.stopping = false;
  s.stopped = CancellationToken();
  s.running = true;
  s.last_save = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < s.options.thread_count; ++i) s.workers.emplace_back([&s] { s.work_loop(); });
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

void CopyServer::stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
    s.stopped.cancel();
    s.waiting.clear();
    for (int fd : s.serving) ::shutdown(fd, SHUT_RDWR);
  }
  s.wake.notify_all();
  s.acceptor.join();
  for (auto& t : s.workers) t.join();
  s.workers.clear();
  s.listener.reset();
  s.running = false;
  s.save_history_if_due(true);
}

bool CopyServer::is_running() const { return impl_->running; }
std::uint16_t CopyServer::port() const { return impl_->port ? impl_->port : impl_->options.port; }
unsigned CopyServer::thread_count() const { return impl_->options.thread_count; }

ServerStats CopyServer::stats() const {
  Impl& s = *impl_;
  ServerStats out;
  out.connections = s.connections;
  out.connections_refused = s.refused;
  {
    std::lock_guard lock(s.mutex);
    out.active_connections = s.serving.size();
  }
  out.bytes_sent = s.bytes_sent;
  out.bytes_received = s.bytes_received;
  out.files_sent = s.counters.files_sent;
  out.files_received = s.counters.files_received;
  out.files_linked = s.counters.files_linked;
  out.files_skipped = s.counters.files_skipped;
  out.history_entries = s.history.size();
  return out;
}

// One thread accepts and runs every handshake: a connection reaches a worker only once it
// has proved the secret, so silent or slow peers cost a descriptor, never a worker.
void CopyServer::Impl::accept_loop() {
  std::vector<pollfd> fds;
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (stopping) break;
    }
    fds.assign(1, pollfd{listener.get(), POLLIN, 0});
    int timeout = std::min(100, handshakes.poll_set(fds));  // wakes up to notice stop()
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) continue;
    for (UniqueFd& fd : handshakes.advance(fds, 1)) queue(std::move(fd));
    refused = handshakes.failed() + busy;
    if (fds[0].revents & POLLIN) accept_pending();
  }
  handshakes.clear();
}

void CopyServer::Impl::accept_pending() {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    UniqueFd fd(::accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    ++connections;
    char address[INET6_ADDRSTRLEN] = "";
    const void* raw = peer.ss_family == AF_INET6 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr)
                                                 : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&peer)->sin_addr);
    ::inet_ntop(peer.ss_family, raw, address, sizeof address);
    handshakes.add(std::move(fd), address);
  }
}

void CopyServer::Impl::queue(UniqueFd fd) {
  std::unique_lock lock(mutex);
  if (waiting.size() + serving.size() >= options.max_connections) {
    lock.unlock();
    ++busy;
    try {  // a short, bounded answer: the accepting thread must not hang on a slow client
      Connection answer(std::move(fd), std::chrono::milliseconds(1000));
      answer.send(FrameType::Busy, ErrorMessage{ErrorCode::Refused,
                                                "server busy: " + std::to_string(options.max_connections) +
                                                    " connections already; try again later"}.encode());
    } catch (const std::exception&) {
    }
    return;
  }
  waiting.push_back(std::move(fd));
  lock.unlock();
  wake.notify_one();
}

void CopyServer::Impl::work_loop() {
  for (;;) {
    UniqueFd fd;
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return stopping || !waiting.empty(); });
      if (stopping) return;
      fd = std::move(waiting.front());
      waiting.pop_front();
      serving.insert(fd.get());
    }
    int raw = fd.get();
    {
      Connection conn(std::move(fd), options.idle_timeout);
      try {
        serve(conn);
      } catch (const ProtocolError& e) {
        conn.send_error(Error(ErrorCode::Refused, 0, std::string("protocol violation: ") + e.what()));
      } catch (const Error& e) {
        if (e.code() != ErrorCode::Network) conn.send_error(e);
      } catch (const std::exception& e) {
        conn.send_error(e);
      }
      bytes_sent += conn.bytes_sent();
      bytes_received += conn.bytes_received();
      std::lock_guard lock(mutex);
      serving.erase(raw);  // before the descriptor closes, so stop() never shuts down a reused fd
    }
    save_history_if_due(false);
  }
}

void CopyServer::Impl::serve(Connection& conn) {
  Frame f = conn.receive();
  if (f.type != FrameType::UploadBegin && f.type != FrameType::DownloadBegin)
    throw ProtocolError("expected an upload or a download");
  Begin begin = Begin::decode(f.payload);
  const bool upload = f.type == FrameType::UploadBegin;
  UniqueFd dir = open_beneath(root_fd.get(), begin.path, upload);
  conn.send(FrameType::Ready, {});
  if (upload) {
    ServerSide side{&history, root_fd.get(), begin.path.empty() ? "" : begin.path + "/", &counters,
                    options.trust_metadata};
    Receiver receiver(conn, dir.get(), stopped, &side);
    receiver.run();
  } else {
    Sender sender(conn, begin.compression_level, stopped, &counters);
    sender.send_tree(dir.get(), false);
    sender.finish();
  }
}

void CopyServer::Impl::save_history_if_due(bool force) {
  std::unique_lock lock(mutex);
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_save < kHistorySaveInterval) return;
  last_save = now;
  lock.unlock();
  try {
    history.save();
  } catch (const Error&) {  // the history is a cache: losing a save only costs re-sends
  }
}

}  // namespace gitfleet::copy
