#include "gitfleet/copy/delta.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
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

}  // namespace

std::uint32_t choose_block_size(std::uint64_t file_size) {
  auto root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(file_size)));
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(std::bit_ceil(std::max<std::uint64_t>(root, 1)), 1024,
                                                              128 * 1024));
}

Signature compute_signature(std::string_view data, std::uint32_t block_size) {
  Signature sig;
  sig.block_size = block_size;
  sig.file_size = data.size();
  sig.blocks.reserve(data.size() / block_size + 1);
  for (std::size_t off = 0; off < data.size(); off += block_size) {
    std::size_t n = std::min<std::size_t>(block_size, data.size() - off);
    const auto* p = reinterpret_cast<const unsigned char*>(data.data() + off);
    XXH128_hash_t h = XXH3_128bits(p, n);
    sig.blocks.push_back({weak_of(p, n), h.low64, h.high64});
  }
  return sig;
}

void compute_delta(std::string_view source, const Signature& sig, const std::function<void(const DeltaOp&)>& emit) {
  const std::size_t L = sig.block_size;
  const auto* src = reinterpret_cast<const unsigned char*>(source.data());
  const std::size_t n = source.size();

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
  std::size_t literal_start = 0;
  auto flush_copy = [&] {
    if (pending_copy.length) emit(pending_copy);
    pending_copy.length = 0;
  };
  auto flush_literal = [&](std::size_t end) {
    while (literal_start < end) {
      std::size_t len = std::min(kMaxLiteral, end - literal_start);
      flush_copy();
      emit(DeltaOp{DeltaOp::Literal, 0, len, source.data() + literal_start});
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

  std::size_t pos = 0;
  std::uint32_t next_expected = 0;  // the block after the last match: tried first
  if (full_blocks && n >= L) {
    Rolling r;
    r.init(src, L);
    while (pos + L <= n) {
      std::uint32_t w = r.value();
      auto slot = filter_slot(w);
      std::int64_t match = -1;
      if (filter[slot >> 6] & (1ull << (slot & 63))) {
        if (next_expected < full_blocks && sig.blocks[next_expected].weak == w &&
            strong_equal(sig.blocks[next_expected], src + pos, L)) {
          match = next_expected;
        } else {
          auto [it, end] = by_weak.equal_range(w);
          for (; it != end; ++it)
            if (strong_equal(sig.blocks[it->second], src + pos, L)) {
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
        if (pos + L <= n) r.init(src + pos, L);
        continue;
      }
      if (pos + L < n) r.roll(src[pos], src[pos + L], L);
      ++pos;
      if (pos - literal_start >= kMaxLiteral) flush_literal(pos);
    }
  }
  // The reference's short last block can only match the source's very end.
  if (has_tail && n - literal_start >= tail_len && tail_len > 0) {
    std::size_t at = n - tail_len;
    const auto& tail = sig.blocks.back();
    if (weak_of(src + at, tail_len) == tail.weak && strong_equal(tail, src + at, tail_len)) {
      flush_literal(at);
      add_copy(full_blocks * L, tail_len);
      literal_start = n;
    }
  }
  flush_literal(n);
  flush_copy();
}

void DeltaWriter::apply(const DeltaOp& op) {
  if (op.kind == DeltaOp::Literal) {
    for (std::uint64_t written = 0; written < op.length;) {
      ssize_t w = ::pwrite(out_fd_, op.data + written, op.length - written,
                           static_cast<off_t>(stats_.bytes_total + written));
      if (w < 0) {
        if (errno == EINTR) continue;
        fail(errno, out_name_);
      }
      written += static_cast<std::uint64_t>(w);
    }
    stats_.bytes_literal += op.length;
  } else {
    for (std::uint64_t done = 0; done < op.length;) {
      loff_t in = static_cast<loff_t>(op.offset + done), out = static_cast<loff_t>(stats_.bytes_total + done);
      ssize_t n = ::copy_file_range(reference_fd_, &in, out_fd_, &out, op.length - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        // Not available here (or the reference shrank): plain reads and writes.
        char buf[64 * 1024];
        ssize_t r = ::pread(reference_fd_, buf, std::min<std::uint64_t>(sizeof buf, op.length - done),
                            static_cast<off_t>(op.offset + done));
        if (r <= 0)
          throw CopyError(CopyErrc::Io, r < 0 ? errno : EIO, "the reference changed during a delta copy",
                          out_name_.string());
        if (::pwrite(out_fd_, buf, static_cast<std::size_t>(r), out) != r) fail(errno, out_name_);
        n = r;
      }
      done += static_cast<std::uint64_t>(n);
    }
    stats_.bytes_matched += op.length;
  }
  stats_.bytes_total += op.length;
}

DeltaStats delta_copy(const fs::path& src, const fs::path& dst, const fs::path& reference,
                      const FileCopyOptions& options) {
  check_cancelled(options.cancel);
  struct stat src_st, ref_st, dst_st;
  UniqueFd src_fd = open_source(src, src_st);
  UniqueFd ref_fd = open_source(reference, ref_st);
  existing_destination(src, src_st, dst, dst_st);

  MappedFile source(src_fd.get(), static_cast<std::uint64_t>(src_st.st_size), src);
  MappedFile ref(ref_fd.get(), static_cast<std::uint64_t>(ref_st.st_size), reference);
  Signature sig = compute_signature(ref.view(), choose_block_size(static_cast<std::uint64_t>(ref_st.st_size)));

  TemporaryFile temp(dst);
  ProgressReporter progress(options.progress, options.progress_name.empty() ? src.string() : options.progress_name,
                            static_cast<std::uint64_t>(src_st.st_size));
  DeltaWriter writer(ref_fd.get(), temp.fd(), dst);
  compute_delta(source.view(), sig, [&](const DeltaOp& op) {
    check_cancelled(options.cancel);
    writer.apply(op);
    progress.advance(writer.stats().bytes_total);
  });
  apply_metadata(src_fd.get(), temp.fd(), src_st, options.metadata, dst);
  temp.publish();
  progress.finish(writer.stats().bytes_total);
  return writer.stats();
}

}  // namespace gitfleet::copy
