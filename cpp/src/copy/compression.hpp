#pragma once
// zstd per data chunk for the copy protocol (private): a chunk goes compressed only when that
// makes it smaller. Level 0 balances itself: it measures the throughput each window of chunks
// achieves end to end (compressing and sending) and climbs toward the level that does best,
// down to "off" on links fast enough that compression only costs time.
#include <zstd.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "gitfleet/copy/protocol.hpp"

namespace gitfleet::copy {

class ChunkCompressor {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // level: -1 off, 0 self-balancing, 1..22 fixed. The clock times the balancing's windows
  // (steady_clock unless a test drives it).
  explicit ChunkCompressor(int level, Clock clock = {});
  ~ChunkCompressor();
  ChunkCompressor(const ChunkCompressor&) = delete;
  ChunkCompressor& operator=(const ChunkCompressor&) = delete;

  // The Data payload for `raw` (at most protocol::kChunk bytes).
  std::string encode(std::string_view raw);
  int level() const { return level_; }  // the level in use; -1 when off

 private:
  void balance(std::size_t raw_bytes);

  ZSTD_CCtx* ctx_;
  Clock clock_;
  int level_;
  bool balancing_;
  std::string buffer_;
  // Self-balancing state: bytes and time of the current window, the previous window's
  // throughput, and the direction of the last step.
  std::size_t window_bytes_ = 0;
  int window_chunks_ = 0;
  std::chrono::steady_clock::time_point window_start_;
  double last_throughput_ = 0;
  int step_ = 1;
};

class ChunkDecoder {
 public:
  ChunkDecoder();
  ~ChunkDecoder();
  ChunkDecoder(const ChunkDecoder&) = delete;
  ChunkDecoder& operator=(const ChunkDecoder&) = delete;

  // The raw bytes of a Data payload (valid until the next call); ProtocolError if corrupt.
  std::string_view decode(std::string_view payload);

 private:
  ZSTD_DCtx* ctx_;
  std::string buffer_;
};

}  // namespace gitfleet::copy
