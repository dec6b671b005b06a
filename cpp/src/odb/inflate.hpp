#pragma once
// Pack entries' zlib streams, inflated whole with libdeflate (their size is known from the
// entry header). Loose objects, whose size is only known once inflation has begun, use zlib
// (loose_object.cpp).
#include <cstddef>
#include <cstdint>
#include <memory>

namespace gitfleet::odb {

class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(Inflater&&) noexcept;
  Inflater& operator=(Inflater&&) noexcept;

  // Inflates the zlib stream at `in` (at most `in_size` bytes available) into exactly
  // `out_size` bytes. False if the stream is damaged, truncated, or of another length.
  bool inflate_exact(const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitfleet::odb
