#include "connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "gitfleet/core/error.hpp"
#include "file_ops.hpp"
#include "handshake.hpp"

namespace gitfleet::copy {
using namespace protocol;

namespace {

[[noreturn]] void network_error(const std::string& what, int err = 0) {
  throw Error(ErrorCode::Network, err, err ? what + ": " + std::strerror(err) : what);
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

Connection::Connection(UniqueFd fd, std::chrono::milliseconds timeout) : fd_(std::move(fd)) {
  set_timeouts(fd_.get(), timeout);
}

void Connection::write_all(const char* data, std::size_t n) {
  write_fully(
      std::string_view(data, n),
      [&](const char* p, std::size_t len) {
        ssize_t w = ::send(fd_.get(), p, len, MSG_NOSIGNAL);
        if (w > 0) sent_ += static_cast<std::uint64_t>(w);
        return w;
      },
      [&](int err) {
        network_error(err == EAGAIN ? "the peer stopped reading (timed out)" : "send failed", err == EAGAIN ? 0 : err);
      });
}

std::size_t Connection::read_some(char* data, std::size_t n) {
  for (;;) {
    ssize_t r = ::recv(fd_.get(), data, n, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      closed_by_peer_ = errno == ECONNRESET;  // closed with our bytes unread: a reset, not an end
      network_error(errno == EAGAIN ? "the peer went quiet (idle timeout)" : "receive failed",
                    errno == EAGAIN ? 0 : errno);
    }
    if (r == 0) {
      closed_by_peer_ = true;
      network_error("the peer closed the connection");
    }
    received_ += static_cast<std::uint64_t>(r);
    return static_cast<std::size_t>(r);
  }
}

// Serves from the read-ahead buffer first; large reads go straight into `data`.
void Connection::read_exact(char* data, std::size_t n) {
  constexpr std::size_t kReadAhead = 64 * 1024;
  while (n > 0) {
    if (in_pos_ < in_.size()) {
      std::size_t take = std::min(n, in_.size() - in_pos_);
      std::memcpy(data, in_.data() + in_pos_, take);
      in_pos_ += take;
      data += take;
      n -= take;
    } else if (n >= kReadAhead) {
      flush();  // about to wait: the peer may be waiting for what we wrote
      std::size_t got = read_some(data, n);
      data += got;
      n -= got;
    } else {
      flush();
      in_.resize(kReadAhead);
      in_.resize(read_some(in_.data(), kReadAhead));
      in_pos_ = 0;
    }
  }
}

void Connection::flush() {
  if (out_.empty()) return;
  std::string pending;
  pending.swap(out_);
  write_all(pending.data(), pending.size());
}

void Connection::send(FrameType type, std::string_view payload) {
  constexpr std::size_t kBuffered = 64 * 1024;
  if (payload.size() > kMaxPayload) throw ProtocolError("frame too large to send");
  auto header = frame_header(type, static_cast<std::uint32_t>(payload.size()));
  out_.append(header.data(), header.size());
  if (payload.size() < kBuffered) {
    out_.append(payload);
    if (out_.size() >= kBuffered || type == FrameType::Error || type == FrameType::Busy) flush();
  } else {
    flush();
    write_all(payload.data(), payload.size());
  }
}

Frame Connection::receive() {
  unsigned char header[5];
  read_exact(reinterpret_cast<char*>(header), 5);
  std::uint32_t len = frame_length(header);
  if (len > kMaxPayload) throw ProtocolError("frame of " + std::to_string(len) + " bytes exceeds the limit");
  Frame f{static_cast<FrameType>(header[4]), std::string(len, '\0')};
  read_exact(f.payload.data(), len);
  if (f.type == FrameType::Error || f.type == FrameType::Busy) {
    ErrorMessage e = ErrorMessage::decode(f.payload);
    throw Error(f.type == FrameType::Busy ? ErrorCode::Refused : e.code, 0, "copy server: " + e.message);
  }
  return f;
}

std::string Connection::expect(FrameType type) {
  Frame f = receive();
  if (f.type != type)
    throw ProtocolError("unexpected frame type " + std::to_string(static_cast<int>(f.type)) + " (expected " +
                        std::to_string(static_cast<int>(type)) + ")");
  return std::move(f.payload);
}

void Connection::authenticate_to_server(const std::string& secret) {
  Hello hello;
  hello.nonce = random_nonce();
  send(FrameType::Hello, hello.encode());
  Challenge challenge = Challenge::decode(expect(FrameType::Challenge));
  if (challenge.version != kVersion)
    throw Error(ErrorCode::Network, 0, "the copy server speaks protocol version " +
                                              std::to_string(challenge.version) + ", this client " +
                                              std::to_string(kVersion));
  send(FrameType::Auth, AuthProof{proof_of(secret, "eacopy client", hello.nonce, challenge.nonce)}.encode());
  Frame reply;
  try {
    reply = receive();
  } catch (const Error& e) {
    // A server refusing the secret says so; one that hangs up without a word pushed this
    // handshake out (too many pending from this address): the caller may try again.
    if (e.code() == ErrorCode::AuthenticationFailed || closed_by_peer_) throw;
    throw Error(ErrorCode::AuthenticationFailed, 0, "the copy server refused the secret");
  }
  if (reply.type != FrameType::AuthOk ||
      !same_proof(AuthProof::decode(reply.payload).proof, proof_of(secret, "eacopy server", hello.nonce, challenge.nonce)))
    throw Error(ErrorCode::AuthenticationFailed, 0, "the copy server could not prove it knows the secret");
}

void Connection::send_error(const std::exception& e) {
  ErrorCode kind = ErrorCode::Network;
  std::string message = e.what();
  if (auto* ce = dynamic_cast<const Error*>(&e)) {
    kind = ce->code();
    // The path the peer named (relative to the root), unless the message has it already.
    if (!ce->path().empty() && message.find(ce->path()) == std::string::npos) message += ": '" + ce->path() + "'";
  }
  try {
    send(FrameType::Error, ErrorMessage{kind, message}.encode());
  } catch (...) {  // the peer is gone: nothing to tell
  }
}

void Connection::shutdown() noexcept { ::shutdown(fd_.get(), SHUT_RDWR); }

UniqueFd connect_to(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) throw Error(ErrorCode::Network, 0, "cannot resolve copy server '" + host + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, ::freeaddrinfo);
  int last = ECONNREFUSED;
  for (addrinfo* a = found; a; a = a->ai_next) {
    UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol));
    if (!fd) continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = errno;
        continue;
      }
      pollfd p{fd.get(), POLLOUT, 0};
      int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (ready <= 0 || err != 0) {
        last = ready <= 0 ? ETIMEDOUT : err;
        continue;
      }
    }
    int flags = ::fcntl(fd.get(), F_GETFL);
    ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    return fd;
  }
  throw Error(ErrorCode::Network, last,
                  "no copy server answers at " + host + ":" + std::to_string(port) + ": " + std::strerror(last));
}

UniqueFd listen_on(const std::string& host, std::uint16_t port, std::uint16_t& bound_port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) throw Error(ErrorCode::InvalidArgument, 0, "cannot listen on '" + host + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, ::freeaddrinfo);
  UniqueFd fd(::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol));
  if (!fd) throw Error::from_errno(errno, host);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd.get(), 128) != 0)
    throw Error(ErrorCode::Network, errno,
                    "cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  bound_port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                                : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
}

}  // namespace gitfleet::copy
