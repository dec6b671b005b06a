#pragma once
// A framed, authenticated TCP connection of the copy protocol (private to the copy engine):
// frame I/O with size bounds and timeouts, byte counters, the client's side of the handshake,
// and socket set-up.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "gitfleet/copy/protocol.hpp"
#include "unique_fd.hpp"

namespace gitfleet::copy {

struct Frame {
  protocol::FrameType type;
  std::string payload;
};

class Connection {
 public:
  Connection(UniqueFd fd, std::chrono::milliseconds timeout);

  // Small frames are buffered (one system call for many); the buffer goes out when it fills,
  // before the connection blocks reading from the peer, and at once for Error and Busy frames.
  void send(protocol::FrameType type, std::string_view payload);
  void flush();
  // The next frame; an Error frame from the peer becomes a Error (its kind and message).
  Frame receive();
  // The next frame, which must be of `type`.
  std::string expect(protocol::FrameType type);

  // Client side of the handshake (handshake.hpp has the server's); throws
  // Error(AuthenticationFailed) when refused, Error(Network) on a version mismatch.
  void authenticate_to_server(const std::string& secret);

  void send_error(const std::exception& e);
  void shutdown() noexcept;

  std::uint64_t bytes_sent() const { return sent_; }
  std::uint64_t bytes_received() const { return received_; }
  bool closed_by_peer() const { return closed_by_peer_; }  // it hung up (or reset) without a word
  int fd() const { return fd_.get(); }

 private:
  void write_all(const char* data, std::size_t n);
  void read_exact(char* data, std::size_t n);
  std::size_t read_some(char* data, std::size_t n);

  UniqueFd fd_;
  std::string out_;     // frames not yet written
  std::string in_;      // bytes read ahead of the frame being decoded
  std::size_t in_pos_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
  bool closed_by_peer_ = false;
};

// Connects to host:port (IPv4 or IPv6, by name or literal); throws Error(Network).
UniqueFd connect_to(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
// Listens on host:port (port 0: any free one); returns the socket and the bound port.
UniqueFd listen_on(const std::string& host, std::uint16_t port, std::uint16_t& bound_port);

}  // namespace gitfleet::copy
