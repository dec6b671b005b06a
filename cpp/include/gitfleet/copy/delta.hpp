#pragma once
// Delta transfer (the rsync algorithm): the holder of an old version (the reference) sends a
// signature of its blocks; the holder of the new version scans it with a rolling checksum
// and describes it as copies of reference blocks and literal bytes; the reference holder
// rebuilds the new version from its own blocks and the literals. delta_copy runs the three
// steps locally; the copy server runs them across the network.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "gitfleet/copy/file_copy.hpp"

namespace gitfleet::copy {

struct BlockSignature {
  std::uint32_t weak = 0;     // rsync's rolling checksum
  std::uint64_t strong_lo = 0;  // XXH3-128 of the block
  std::uint64_t strong_hi = 0;
};

struct Signature {
  std::uint32_t block_size = 0;
  std::uint64_t file_size = 0;
  std::vector<BlockSignature> blocks;  // the last one may be shorter than block_size
};

// A signature of more blocks is refused from a peer (its memory is the peer's to choose).
constexpr std::uint32_t kMaxSignatureBlocks = 1u << 22;
constexpr std::uint32_t kMaxBlockSize = 1u << 20;

// ~sqrt(size) rounded to a power of two, between 1 KiB and 128 KiB (rsync's rule of thumb),
// larger for files that would otherwise need more than kMaxSignatureBlocks blocks.
std::uint32_t choose_block_size(std::uint64_t file_size);

// An open file read by offset, never mapped: another process may shrink it at any moment,
// which would turn a mapping into SIGBUS for the whole process. Reading past its new end
// fails the operation with Error(Io) instead.
struct FileSpan {
  int fd = -1;
  std::uint64_t size = 0;
  std::filesystem::path name;  // for errors
};

// Receives bytes as they are read or written, in file order.
using ByteSink = std::function<void(std::string_view)>;

Signature compute_signature(const FileSpan& file, std::uint32_t block_size);

struct DeltaOp {
  enum Kind : std::uint8_t { Copy, Literal } kind;
  std::uint64_t offset = 0;  // Copy: where in the reference
  std::uint64_t length = 0;
  const char* data = nullptr;  // Literal: the bytes (valid during the callback only)
};

// Describes `source` against `signature`, in order; adjacent copies are merged and literals
// come in pieces of at most 1 MiB. Reads the source once, front to back, through a window of
// a few MiB, passing every byte to `read` (if given) as it arrives.
void compute_delta(const FileSpan& source, const Signature& signature,
                   const std::function<void(const DeltaOp&)>& emit, const ByteSink& read = {});

struct DeltaStats {
  std::uint64_t bytes_total = 0;    // size of the result
  std::uint64_t bytes_matched = 0;  // taken from the reference
  std::uint64_t bytes_literal = 0;  // taken from the source
};

// Rebuilds a file from reference blocks and literals; ops must come in order. With a
// `written` sink every byte of the result passes through it (reference blocks are then read
// and written rather than copied in the kernel). A reference that shrank fails the copy.
class DeltaWriter {
 public:
  DeltaWriter(int reference_fd, int out_fd, std::filesystem::path out_name, ByteSink written = {})
      : reference_fd_(reference_fd), out_fd_(out_fd), out_name_(std::move(out_name)), written_(std::move(written)) {}
  void apply(const DeltaOp& op);
  const DeltaStats& stats() const { return stats_; }

 private:
  void write(const char* data, std::uint64_t length, std::uint64_t at);
  void copy_through(std::uint64_t offset, std::uint64_t length, std::uint64_t out_at);

  int reference_fd_;
  int out_fd_;
  std::filesystem::path out_name_;
  ByteSink written_;
  DeltaStats stats_;
};

// dst becomes byte-identical to src (metadata as options.metadata), built from the blocks
// of `reference` that src shares and the bytes it does not. dst may be the reference
// itself (an in-place update); it is replaced atomically.
DeltaStats delta_copy(const std::filesystem::path& src, const std::filesystem::path& dst,
                      const std::filesystem::path& reference, const FileCopyOptions& options);

}  // namespace gitfleet::copy
