#include "inflate.hpp"

#include <libdeflate.h>

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

}  // namespace gitfleet::odb
