#include "inflate.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <climits>
#include <new>

namespace gitfleet::odb {

struct Inflater::Impl {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  ~Impl() { libdeflate_free_decompressor(d); }
};

Inflater::Inflater() : impl_(std::make_unique<Impl>()) {
  if (!impl_->d) throw std::bad_alloc();
}
Inflater::~Inflater() = default;
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;

bool Inflater::inflate_exact(const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size) {
  std::size_t produced = 0, consumed = 0;
  // libdeflate never reads past in_size and stops at the end of the stream, so the rest of
  // the pack can be offered as input: it reports how much the stream took.
  libdeflate_result r = libdeflate_zlib_decompress_ex(impl_->d, in, in_size, out, out_size, &consumed, &produced);
  return r == LIBDEFLATE_SUCCESS && produced == out_size;
}

long inflate_prefix(const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return -1;
  zs.next_in = const_cast<unsigned char*>(in);
  zs.avail_in = static_cast<uInt>(in_size > UINT_MAX ? UINT_MAX : in_size);
  zs.next_out = out;
  zs.avail_out = static_cast<uInt>(out_size);
  long produced = -1;
  for (;;) {
    int rc = ::inflate(&zs, Z_SYNC_FLUSH);
    if (rc == Z_STREAM_END || zs.avail_out == 0) {
      produced = static_cast<long>(out_size - zs.avail_out);
      break;
    }
    // No progress possible: damaged, or the input ended before the stream did.
    if (rc != Z_OK) break;
  }
  inflateEnd(&zs);
  return produced;
}

}  // namespace gitfleet::odb
