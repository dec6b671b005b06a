#include "handshake.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "gitfleet/core/error.hpp"

namespace gitfleet::copy {
using namespace protocol;

namespace {

// Hello and Auth are the only frames before the proof; both are this small.
constexpr std::size_t kMaxHandshakePayload = 64;

// A frame to a peer that has not been trusted yet, sent without waiting: a few dozen bytes
// always fit a fresh socket's buffer, and one that will not take them is dropped.
bool send_now(int fd, FrameType type, const std::string& payload) {
  auto header = frame_header(type, static_cast<std::uint32_t>(payload.size()));
  std::string bytes(header.data(), header.size());
  bytes += payload;
  ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  return n == static_cast<ssize_t>(bytes.size());
}

void send_error(int fd, ErrorCode kind, const std::string& message) {
  send_now(fd, FrameType::Error, ErrorMessage{kind, message}.encode());
}

}  // namespace

Nonce random_nonce() {
  Nonce n;
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1)
    throw Error(ErrorCode::Network, 0, "no randomness for the handshake");
  return n;
}

Proof proof_of(const std::string& secret, std::string_view role, const Nonce& client, const Nonce& server) {
  std::string message(role);
  message.append(reinterpret_cast<const char*>(client.data()), client.size());
  message.append(reinterpret_cast<const char*>(server.data()), server.size());
  Proof p;
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), p.data(), &len) ||
      len != p.size())
    throw Error(ErrorCode::Network, 0, "HMAC failed");
  return p;
}

bool same_proof(const Proof& a, const Proof& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

unsigned PendingHandshakes::add(UniqueFd fd, std::string address) {
  unsigned pushed = 0;
  auto same_address = [&](const Pending& p) { return p.address == address; };
  if (static_cast<unsigned>(std::count_if(pending_.begin(), pending_.end(), same_address)) >=
      limits_.max_pending_per_address) {
    pending_.erase(std::find_if(pending_.begin(), pending_.end(), same_address));
    ++pushed;
  } else if (pending_.size() >= limits_.max_pending) {
    pending_.erase(pending_.begin());
    ++pushed;
  }
  failed_ += pushed;
  Pending p;
  p.fd = std::move(fd);
  p.address = std::move(address);
  p.deadline = std::chrono::steady_clock::now() + limits_.deadline;
  pending_.push_back(std::move(p));
  return pushed;
}

int PendingHandshakes::poll_set(std::vector<pollfd>& fds) const {
  auto now = std::chrono::steady_clock::now();
  std::int64_t nearest = 1000;
  for (const auto& p : pending_) {
    fds.push_back({p.fd.get(), POLLIN, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(p.deadline - now).count() + 1;
    nearest = std::clamp<std::int64_t>(left, 0, nearest);
  }
  return static_cast<int>(nearest);
}

std::vector<UniqueFd> PendingHandshakes::advance(const std::vector<pollfd>& fds, std::size_t first) {
  std::vector<UniqueFd> done;
  auto now = std::chrono::steady_clock::now();
  // poll_set listed pending_ in order, and nothing was added since.
  std::vector<Pending> kept;
  kept.reserve(pending_.size());
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    Step step = Step::More;
    if (first + i < fds.size() && fds[first + i].revents) step = advance(p);
    if (step == Step::More && now >= p.deadline) step = Step::Drop;
    if (step == Step::Done) {
      int flags = ::fcntl(p.fd.get(), F_GETFL);
      ::fcntl(p.fd.get(), F_SETFL, flags & ~O_NONBLOCK);
      done.push_back(std::move(p.fd));
    } else if (step == Step::Drop) {
      ++failed_;
    } else {
      kept.push_back(std::move(p));
    }
  }
  pending_ = std::move(kept);
  return done;
}

// Reads no further than the current frame: what follows the proof belongs to the worker.
PendingHandshakes::Step PendingHandshakes::advance(Pending& p) {
  for (;;) {
    std::size_t want = p.frame.size() < 5 ? 5 - p.frame.size()
                                          : 5 + frame_length(reinterpret_cast<const unsigned char*>(p.frame.data())) -
                                                p.frame.size();
    char buf[5 + kMaxHandshakePayload];
    ssize_t n = ::recv(p.fd.get(), buf, want, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Step::More;
    if (n <= 0) return Step::Drop;
    p.frame.append(buf, static_cast<std::size_t>(n));
    if (p.frame.size() < 5) continue;
    auto header = reinterpret_cast<const unsigned char*>(p.frame.data());
    std::uint32_t length = frame_length(header);
    if (length > kMaxHandshakePayload) {
      send_error(p.fd.get(), ErrorCode::Refused, "protocol violation: a handshake frame of " +
                                                    std::to_string(length) + " bytes");
      return Step::Drop;
    }
    if (p.frame.size() < 5 + length) continue;
    std::string frame = std::move(p.frame);
    p.frame.clear();
    try {
      Step step = on_frame(p, static_cast<FrameType>(header[4]), std::string_view(frame).substr(5));
      if (step != Step::More) return step;
    } catch (const ProtocolError& e) {
      send_error(p.fd.get(), ErrorCode::Refused, std::string("protocol violation: ") + e.what());
      return Step::Drop;
    }
  }
}

PendingHandshakes::Step PendingHandshakes::on_frame(Pending& p, FrameType type, std::string_view payload) {
  if (!p.challenged) {
    if (type != FrameType::Hello) throw ProtocolError("expected the client's hello");
    Hello hello = Hello::decode(payload);
    p.client_nonce = hello.nonce;
    p.server_nonce = random_nonce();
    Challenge challenge;
    challenge.nonce = p.server_nonce;
    if (!send_now(p.fd.get(), FrameType::Challenge, challenge.encode())) return Step::Drop;
    if (hello.version != kVersion) {  // the challenge carries our version; this says why we hang up
      send_error(p.fd.get(), ErrorCode::Network,
                 "protocol version " + std::to_string(hello.version) + " is not supported: this server speaks version " +
                     std::to_string(kVersion));
      return Step::Drop;
    }
    p.challenged = true;
    return Step::More;
  }
  if (type != FrameType::Auth) throw ProtocolError("expected the client's proof");
  AuthProof auth = AuthProof::decode(payload);
  if (!same_proof(auth.proof, proof_of(secret_, "eacopy client", p.client_nonce, p.server_nonce))) {
    send_error(p.fd.get(), ErrorCode::AuthenticationFailed, "authentication failed");
    return Step::Drop;
  }
  if (!send_now(p.fd.get(), FrameType::AuthOk,
                AuthProof{proof_of(secret_, "eacopy server", p.client_nonce, p.server_nonce)}.encode()))
    return Step::Drop;
  return Step::Done;
}

}  // namespace gitfleet::copy
