#pragma once
// The copy protocol's challenge-response handshake (private to the copy engine): HMAC-SHA256
// of the secret over both nonces, so the secret never crosses the wire and a recorded
// exchange cannot be replayed. The client side runs inside Connection; the server side runs
// here, for all unauthenticated connections at once on the accepting thread, never blocking,
// so that peers which have not proved the secret never hold a worker.
#include <poll.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gitfleet/copy/protocol.hpp"
#include "unique_fd.hpp"

namespace gitfleet::copy {

protocol::Nonce random_nonce();
// HMAC-SHA256(secret, role || client nonce || server nonce).
protocol::Proof proof_of(const std::string& secret, std::string_view role, const protocol::Nonce& client,
                         const protocol::Nonce& server);
bool same_proof(const protocol::Proof& a, const protocol::Proof& b);

struct HandshakeLimits {
  std::chrono::milliseconds deadline{10000};  // from accept to proof, whatever the pace
  unsigned max_pending = 64;                  // unauthenticated connections in all
  unsigned max_pending_per_address = 8;       // ... and from one peer address
};

// Unauthenticated connections, each a small state machine fed by poll(2). A new connection
// beyond a limit pushes out the oldest pending one (of its address, else of all): a flood of
// silent sockets cannot lock a real client out, who needs one round trip to get through.
class PendingHandshakes {
 public:
  PendingHandshakes(std::string secret, HandshakeLimits limits) : secret_(std::move(secret)), limits_(limits) {}

  // Takes a connection just accepted (non-blocking); returns how many were pushed out.
  unsigned add(UniqueFd fd, std::string address);
  // Appends a pollfd per pending connection; returns the milliseconds until the nearest deadline.
  int poll_set(std::vector<pollfd>& fds) const;
  // Advances the connections poll found ready (fds[first...] as poll_set appended them) and
  // drops the expired. Returns the connections that proved the secret, blocking again.
  std::vector<UniqueFd> advance(const std::vector<pollfd>& fds, std::size_t first);

  std::uint64_t failed() const { return failed_; }  // wrong proofs, violations, timeouts, push-outs
  void clear() { pending_.clear(); }

 private:
  struct Pending {
    UniqueFd fd;
    std::string address;
    std::chrono::steady_clock::time_point deadline;
    bool challenged = false;  // Hello answered: the Auth frame is next
    protocol::Nonce client_nonce{};
    protocol::Nonce server_nonce{};
    std::string frame;  // the bytes of the frame being read
  };
  enum class Step { More, Done, Drop };
  Step advance(Pending& p);
  Step on_frame(Pending& p, protocol::FrameType type, std::string_view payload);

  std::string secret_;
  HandshakeLimits limits_;
  std::vector<Pending> pending_;  // oldest first
  std::uint64_t failed_ = 0;
};

}  // namespace gitfleet::copy
