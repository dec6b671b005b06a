#include "gitfleet/copy/copy_client.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>

#include "attempts.hpp"
#include "gitfleet/core/retry.hpp"
#include "connection.hpp"
#include "file_ops.hpp"
#include "transfer.hpp"

namespace gitfleet::copy {
using namespace protocol;
namespace fs = std::filesystem;

namespace {

// A server keeps a bounded number of unfinished handshakes per address and pushes out the
// oldest (its defence against floods of silent peers), so many clients starting at once from
// one machine may be hung up on before they authenticate: such a handshake is tried again, a
// few times, after a jittered wait.
Connection authenticated(const RemoteOptions& remote, const CancellationToken& cancel) {
  constexpr int kAttempts = 5;
  for (int attempt = 0;; ++attempt) {
    Connection conn(connect_to(remote.host, remote.port, remote.timeout), remote.timeout);
    try {
      conn.authenticate_to_server(remote.secret);
      return conn;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::Network || !conn.closed_by_peer() || attempt + 1 == kAttempts) throw;
    }
    if (!sleep_unless_cancelled(jittered_backoff(std::chrono::milliseconds(50), attempt), cancel))
      cancel.throw_if_cancelled();
  }
}

Connection open_session(const RemoteOptions& remote, FrameType begin_type, const std::string& remote_path,
                        int compression_level, const CancellationToken& cancel) {
  if (remote.secret.empty())
    throw Error(ErrorCode::InvalidArgument, 0, "copying through a server needs its shared secret (token)");
  if (!remote_path.empty() && !is_safe_relative_path(remote_path))
    throw Error(ErrorCode::Refused, 0,
                    "'" + remote_path + "' is not a relative path beneath the server's root (no '..', no leading '/')");
  Connection conn = authenticated(remote, cancel);
  conn.send(begin_type, Begin{remote_path, compression_level}.encode());
  conn.expect(FrameType::Ready);
  return conn;
}

// Over the network a file's progress is known once its fate is: sent, linked, skipped. Each is
// reported as done (copied == total), as the local copy reports a finished file.
FileEventCallback events_and_progress(const Config& config) {
  if (!config.progress_callback) return config.file_event_callback;
  return [&config](const FileEvent& e) {
    if (config.file_event_callback) config.file_event_callback(e);
    if (e.outcome != FileOutcome::Failed) config.progress_callback(e.bytes, e.bytes, e.path);
  };
}

// Under Raise and Retry a file the other side could not take is an error (after the rest of
// the transfer, which is already under way); under Ignore it stays in the summary.
void enforce(const CopySummary& summary, const Config& config) {
  if (summary.failures.empty() || config.error_strategy == ErrorStrategy::Ignore) return;
  const CopyFailure& first = summary.failures.front();
  std::string more = summary.failures.size() > 1 ? " (and " + std::to_string(summary.failures.size() - 1) + " more)" : "";
  throw Error(ErrorCode::Refused, first.sys_errno, first.path + ": " + first.message + more, first.path);
}

// A server breaking the protocol is a network failure to the caller.
template <class Fn>
CopySummary speaking_protocol(Fn&& fn) {
  try {
    return fn();
  } catch (const ProtocolError& e) {
    throw Error(ErrorCode::Network, 0, std::string("the copy server broke the protocol: ") + e.what());
  }
}

}  // namespace

namespace {

CopySummary upload_unguarded(const fs::path& src, const std::string& remote_dst, const RemoteOptions& remote,
                             const Config& config, const CancellationToken& cancel) {
  config.validate();
  auto started = std::chrono::steady_clock::now();
  struct stat st;
  if (::stat(src.c_str(), &st) != 0) fail(errno, src);
  std::optional<Connection> conn;
  try {
    conn.emplace(open_session(remote, FrameType::UploadBegin, remote_dst, config.compression_level, cancel));
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Network || remote.fallback_dst.empty()) throw;
    TreeCopyOptions options;
    options.dirs_exist_ok = true;
    options.skip_unchanged = true;
    if (S_ISDIR(st.st_mode)) return copy_tree(src, remote.fallback_dst, options, config, cancel);
    options.files = std::vector<std::string>{src.filename().string()};
    return copy_tree(src.parent_path().empty() ? "." : src.parent_path(), remote.fallback_dst, options, config, cancel);
  }
  FileEventCallback events = events_and_progress(config);
  Sender sender(*conn, config.compression_level, cancel, nullptr, &events);
  if (S_ISDIR(st.st_mode)) {
    UniqueFd dir(::open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) fail(errno, src);
    sender.send_tree(dir.get(), true);
  } else {
    fs::path parent = src.parent_path().empty() ? fs::path(".") : src.parent_path();
    UniqueFd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) fail(errno, parent);
    sender.send_file(dir.get(), src.filename().string(), src.filename().string(), true);
  }
  sender.finish();
  CopySummary summary = sender.summary();
  summary.bytes_sent = conn->bytes_sent();
  summary.compression_level = sender.compression_level();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  enforce(summary, config);
  return summary;
}

CopySummary download_unguarded(const std::string& remote_src, const fs::path& dst, const RemoteOptions& remote,
                               const Config& config, const CancellationToken& cancel) {
  config.validate();
  auto started = std::chrono::steady_clock::now();
  Connection conn = open_session(remote, FrameType::DownloadBegin, remote_src, config.compression_level, cancel);
  std::error_code ec;
  fs::create_directories(dst, ec);
  if (ec) fail(ec.value(), dst);
  UniqueFd dir(::open(dst.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) fail(errno, dst);
  FileEventCallback events = events_and_progress(config);
  Receiver receiver(conn, dir.get(), cancel, nullptr, &events);
  receiver.run();
  CopySummary summary = receiver.summary();
  summary.bytes_sent = conn.bytes_received();  // what the server sent
  summary.compression_level = config.compression_level;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  enforce(summary, config);
  return summary;
}

}  // namespace

CopySummary upload(const fs::path& src, const std::string& remote_dst, const RemoteOptions& remote,
                   const Config& config, const CancellationToken& cancel) {
  return speaking_protocol([&] { return upload_unguarded(src, remote_dst, remote, config, cancel); });
}

CopySummary download(const std::string& remote_src, const fs::path& dst, const RemoteOptions& remote,
                     const Config& config, const CancellationToken& cancel) {
  return speaking_protocol([&] { return download_unguarded(remote_src, dst, remote, config, cancel); });
}

}  // namespace gitfleet::copy
