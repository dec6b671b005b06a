#include "gitfleet/copy/delta.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <bit>
#include <cmath>
#include <unordered_map>

#include "file_ops.hpp"

namespace gitfleet::copy {
namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kCharOffset = 31;  // rsync's CHAR_OFFSET: weak sums of zero runs differ
constexpr std::size_t kMaxLiteral = 1u << 20;

struct Rolling {
  std::uint32_t a = 0, b = 0;
  void init(const unsigned char* p, std::size_t n) {
    a = b = 0;
    for (std::size_t i = 0; i < n; ++i) {
      a += p[i] + kCharOffset;
      b += static_cast<std::uint32_t>(n - i) * (p[i] + kCharOffset);
    }
  }
  void roll(unsigned char out, unsigned char in, std::size_t n) {
    a += static_cast<std::uint32_t>(in) - out;
    b += a - static_cast<std::uint32_t>(n) * (out + kCharOffset);
  }
  std::uint32_t value() const { return (a & 0xffff) | (b << 16); }
};

std::uint32_t weak_of(const unsigned char* p, std::size_t n) {
  Rolling r;
  r.init(p, n);
  return r.value();
}

bool strong_equal(const BlockSignature& s, const void* p, std::size_t n) {
  XXH128_hash_t h = XXH3_128bits(p, n);
  return h.low64 == s.strong_lo && h.high64 == s.strong_hi;
}

// Reads [offset, offset + n) of a file completely; a file that ends early changed under us.
void read_exactly(const FileSpan& file, char* out, std::size_t n, std::uint64_t offset) {
  for (std::size_t done = 0; done < n;) {
    ssize_t r = ::pread(file.fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0)
      throw Error(ErrorCode::Io, r < 0 ? errno : 0,
                      "`" + file.name.string() + "` changed while being read" +
                          (r < 0 ? std::string(": ") + std::strerror(errno) : std::string(" (it shrank)")),
                      file.name.string());
    done += static_cast<std::size_t>(r);
  }
}

// The part of a file the delta scan needs: bytes [start, end) in memory, refilled by pread a
// few MiB at a time. The scan never looks back before the start of its pending literal, so
// the window stays near kMaxLiteral + a block + the read-ahead, whatever the file's size.
class SourceWindow {
 public:
  SourceWindow(const FileSpan& file, const ByteSink& read) : file_(file), read_(read) {}
  // Makes [from, to) available (from never decreases) and returns the address of byte `from`.
  const unsigned char* bytes(std::uint64_t from, std::uint64_t to) {
    if (to > end()) refill(from, to);
    return buffer_.data() + (from - start_);
  }
  std::uint64_t end() const { return start_ + length_; }

 private:
  static constexpr std::size_t kReadAhead = 4u << 20;
  void refill(std::uint64_t from, std::uint64_t to) {
    std::size_t drop = static_cast<std::size_t>(std::min(from, end()) - start_);  // unread bytes stay due
    std::memmove(buffer_.data(), buffer_.data() + drop, length_ - drop);
    length_ -= drop;
    start_ = from;
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(file_.size, to + kReadAhead) - start_);
    if (buffer_.size() < want) buffer_.resize(want);
    std::size_t n = want - length_;
    read_exactly(file_, reinterpret_cast<char*>(buffer_.data() + length_), n, end());
    if (read_) read_(std::string_view(reinterpret_cast<const char*>(buffer_.data() + length_), n));
    length_ = want;
  }

  const FileSpan& file_;
  const ByteSink& read_;
  std::vector<unsigned char> buffer_;
  std::uint64_t start_ = 0;
  std::size_t length_ = 0;
};

}  // namespace

std::uint32_t choose_block_size(std::uint64_t file_size) {
  auto root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(file_size)));
  std::uint64_t size = std::clamp<std::uint64_t>(std::bit_ceil(std::max<std::uint64_t>(root, 1)), 1024, 128 * 1024);
  while (size < kMaxBlockSize && file_size / size >= kMaxSignatureBlocks) size *= 2;
  return static_cast<std::uint32_t>(size);
}

Signature compute_signature(const FileSpan& file, std::uint32_t block_size) {
  Signature sig;
  sig.block_size = block_size;
  sig.file_size = file.size;
  sig.blocks.reserve(file.size / block_size + 1);
  std::vector<char> chunk(std::max<std::size_t>(block_size, 4u << 20) / block_size * block_size);
  for (std::uint64_t off = 0; off < file.size;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file.size - off));
    read_exactly(file, chunk.data(), n, off);
    for (std::size_t at = 0; at < n; at += block_size) {
      std::size_t len = std::min<std::size_t>(block_size, n - at);
      const auto* p = reinterpret_cast<const unsigned char*>(chunk.data() + at);
      XXH128_hash_t h = XXH3_128bits(p, len);
      sig.blocks.push_back({weak_of(p, len), h.low64, h.high64});
    }
    off += n;
  }
  return sig;
}

void compute_delta(const FileSpan& source, const Signature& sig, const std::function<void(const DeltaOp&)>& emit,
                   const ByteSink& read) {
  const std::size_t L = sig.block_size;
  const std::uint64_t n = source.size;
  SourceWindow window(source, read);

  // Full-size blocks by weak checksum; a 64 Ki-bit filter answers most misses in one load.
  std::unordered_multimap<std::uint32_t, std::uint32_t> by_weak;
  std::vector<std::uint64_t> filter(1024, 0);
  auto filter_slot = [](std::uint32_t w) { return (w ^ (w >> 16)) & 0xffff; };
  const std::size_t full_blocks = L ? sig.file_size / L : 0;
  by_weak.reserve(full_blocks);
  for (std::uint32_t i = 0; i < full_blocks; ++i) {
    by_weak.emplace(sig.blocks[i].weak, i);
    auto slot = filter_slot(sig.blocks[i].weak);
    filter[slot >> 6] |= 1ull << (slot & 63);
  }
  const bool has_tail = sig.blocks.size() > full_blocks;
  const std::size_t tail_len = has_tail ? sig.file_size - full_blocks * L : 0;

  DeltaOp pending_copy{DeltaOp::Copy, 0, 0, nullptr};
  std::uint64_t literal_start = 0;
  // Source bytes through the window: valid until the next call that moves literal_start on.
  const unsigned char* base = nullptr;
  std::uint64_t base_at = 0, base_end = 0;
  auto need = [&](std::uint64_t to) {
    if (to > base_end || literal_start != base_at) {
      base = window.bytes(literal_start, to);
      base_at = literal_start;
      base_end = window.end();
    }
  };
  auto at = [&](std::uint64_t i) { return base + (i - base_at); };
  auto flush_copy = [&] {
    if (pending_copy.length) emit(pending_copy);
    pending_copy.length = 0;
  };
  auto flush_literal = [&](std::uint64_t end) {
    while (literal_start < end) {
      std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxLiteral, end - literal_start));
      need(literal_start + len);
      flush_copy();
      emit(DeltaOp{DeltaOp::Literal, 0, len, reinterpret_cast<const char*>(at(literal_start))});
      literal_start += len;
    }
  };
  auto add_copy = [&](std::uint64_t ref_offset, std::uint64_t len) {
    if (pending_copy.length && pending_copy.offset + pending_copy.length == ref_offset) {
      pending_copy.length += len;
    } else {
      flush_copy();
      pending_copy = DeltaOp{DeltaOp::Copy, ref_offset, len, nullptr};
    }
  };

  std::uint64_t pos = 0;
  std::uint32_t next_expected = 0;  // the block after the last match: tried first
  if (full_blocks && n >= L) {
    Rolling r;
    need(std::min<std::uint64_t>(n, L + 1));
    r.init(at(0), L);
    while (pos + L <= n) {
      std::uint32_t w = r.value();
      auto slot = filter_slot(w);
      std::int64_t match = -1;
      if (filter[slot >> 6] & (1ull << (slot & 63))) {
        if (next_expected < full_blocks && sig.blocks[next_expected].weak == w &&
            strong_equal(sig.blocks[next_expected], at(pos), L)) {
          match = next_expected;
        } else {
          auto [it, end] = by_weak.equal_range(w);
          for (; it != end; ++it)
            if (strong_equal(sig.blocks[it->second], at(pos), L)) {
              match = it->second;
              break;
            }
        }
      }
      if (match >= 0) {
        flush_literal(pos);
        add_copy(static_cast<std::uint64_t>(match) * L, L);
        next_expected = static_cast<std::uint32_t>(match) + 1;
        pos += L;
        literal_start = pos;
        if (pos + L <= n) {
          need(std::min<std::uint64_t>(n, pos + L + 1));
          r.init(at(pos), L);
        }
        continue;
      }
      if (pos + L < n) {
        need(pos + L + 1);
        r.roll(*at(pos), *at(pos + L), L);
      }
      ++pos;
      if (pos - literal_start >= kMaxLiteral) flush_literal(pos);
    }
  }
  // The reference's short last block can only match the source's very end.
  if (has_tail && n - literal_start >= tail_len && tail_len > 0) {
    std::uint64_t end_at = n - tail_len;
    flush_literal(end_at);  // the window then holds little more than the tail
    need(n);
    const auto& tail = sig.blocks.back();
    if (weak_of(at(end_at), tail_len) == tail.weak && strong_equal(tail, at(end_at), tail_len)) {
      add_copy(full_blocks * L, tail_len);
      literal_start = n;
    }
  }
  flush_literal(n);
  flush_copy();
  need(n);  // every byte read, so `read` has seen the whole file
}

void DeltaWriter::write(const char* data, std::uint64_t length, std::uint64_t at) {
  if (written_) written_(std::string_view(data, length));
  write_all(out_fd_, std::string_view(data, length), out_name_.string(), static_cast<off_t>(at));
}

// Reference blocks through a buffer: what the sink must see, and where the kernel cannot copy.
void DeltaWriter::copy_through(std::uint64_t offset, std::uint64_t length, std::uint64_t out_at) {
  FileSpan reference{reference_fd_, offset + length, out_name_};
  std::vector<char> buf(static_cast<std::size_t>(std::min<std::uint64_t>(length, 1u << 20)));
  for (std::uint64_t done = 0; done < length;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length - done));
    try {
      read_exactly(reference, buf.data(), n, offset + done);
    } catch (const Error& e) {
      throw Error(ErrorCode::Io, e.sys_errno(), "the reference changed during a delta copy", out_name_.string());
    }
    write(buf.data(), n, out_at + done);
    done += n;
  }
}

void DeltaWriter::apply(const DeltaOp& op) {
  if (op.kind == DeltaOp::Literal) {
    write(op.data, op.length, stats_.bytes_total);
    stats_.bytes_literal += op.length;
  } else {
    std::uint64_t done = 0;
    while (!written_ && done < op.length) {
      loff_t in = static_cast<loff_t>(op.offset + done), out = static_cast<loff_t>(stats_.bytes_total + done);
      ssize_t n = ::copy_file_range(reference_fd_, &in, out_fd_, &out, op.length - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // not available here, or the reference shrank: copy_through says which
      done += static_cast<std::uint64_t>(n);
    }
    if (done < op.length) copy_through(op.offset + done, op.length - done, stats_.bytes_total + done);
    stats_.bytes_matched += op.length;
  }
  stats_.bytes_total += op.length;
}

DeltaStats delta_copy(const fs::path& src, const fs::path& dst, const fs::path& reference,
                      const FileCopyOptions& options) {
  options.cancel.throw_if_cancelled();
  struct stat src_st, ref_st, dst_st;
  UniqueFd src_fd = open_source(src, src_st);
  UniqueFd ref_fd = open_source(reference, ref_st);
  existing_destination(src, src_st, dst, dst_st);

  FileSpan source{src_fd.get(), static_cast<std::uint64_t>(src_st.st_size), src};
  FileSpan ref{ref_fd.get(), static_cast<std::uint64_t>(ref_st.st_size), reference};
  Signature sig = compute_signature(ref, choose_block_size(ref.size));

  TemporaryFile temp(dst);
  ProgressReporter progress(options.progress, options.progress_name.empty() ? src.string() : options.progress_name,
                            static_cast<std::uint64_t>(src_st.st_size));
  DeltaWriter writer(ref_fd.get(), temp.fd(), dst);
  compute_delta(source, sig, [&](const DeltaOp& op) {
    options.cancel.throw_if_cancelled();
    writer.apply(op);
    progress.advance(writer.stats().bytes_total);
  });
  apply_metadata(src_fd.get(), temp.fd(), src_st, options.metadata, dst);
  temp.publish();
  progress.finish(writer.stats().bytes_total);
  return writer.stats();
}

}  // namespace gitfleet::copy
