#include "compression.hpp"

#include <algorithm>

namespace gitfleet::copy {
using namespace protocol;

namespace {
constexpr int kWindowChunks = 16;  // ~16 MiB of data per measurement
constexpr int kMaxBalancedLevel = 9;
}  // namespace

ChunkCompressor::ChunkCompressor(int level, Clock clock)
    : ctx_(ZSTD_createCCtx()),
      clock_(clock ? std::move(clock) : Clock(&std::chrono::steady_clock::now)),
      level_(level == 0 ? 1 : level),
      balancing_(level == 0) {
  window_start_ = clock_();
}

ChunkCompressor::~ChunkCompressor() { ZSTD_freeCCtx(ctx_); }

std::string ChunkCompressor::encode(std::string_view raw) {
  if (balancing_) balance(raw.size());
  if (level_ > 0 && raw.size() >= 64) {
    buffer_.resize(ZSTD_compressBound(raw.size()));
    std::size_t n = ZSTD_compressCCtx(ctx_, buffer_.data(), buffer_.size(), raw.data(), raw.size(), level_);
    if (!ZSTD_isError(n) && n < raw.size())
      return DataChunk::encode(true, static_cast<std::uint32_t>(raw.size()), std::string_view(buffer_.data(), n));
  }
  return DataChunk::encode(false, static_cast<std::uint32_t>(raw.size()), raw);
}

void ChunkCompressor::balance(std::size_t raw_bytes) {
  window_bytes_ += raw_bytes;
  if (++window_chunks_ < kWindowChunks) return;
  auto now = clock_();
  double seconds = std::chrono::duration<double>(now - window_start_).count();
  double throughput = static_cast<double>(window_bytes_) / std::max(seconds, 1e-6);
  // Hill climbing: keep going while throughput improves, turn around when it drops.
  if (throughput < last_throughput_) step_ = -step_;
  last_throughput_ = throughput;
  level_ = std::clamp(level_ + step_, -1, kMaxBalancedLevel);
  if (level_ == 0) level_ = step_ > 0 ? 1 : -1;  // zstd's 0 means "default": not a step of ours
  window_bytes_ = 0;
  window_chunks_ = 0;
  window_start_ = now;
}

ChunkDecoder::ChunkDecoder() : ctx_(ZSTD_createDCtx()) {}
ChunkDecoder::~ChunkDecoder() { ZSTD_freeDCtx(ctx_); }

std::string_view ChunkDecoder::decode(std::string_view payload) {
  DataChunk chunk = DataChunk::decode(payload);
  if (!chunk.compressed) return chunk.bytes;
  buffer_.resize(chunk.raw_size);
  std::size_t n = ZSTD_decompressDCtx(ctx_, buffer_.data(), buffer_.size(), chunk.bytes.data(), chunk.bytes.size());
  if (ZSTD_isError(n) || n != chunk.raw_size) throw ProtocolError("corrupt compressed chunk");
  return std::string_view(buffer_.data(), n);
}

}  // namespace gitfleet::copy
