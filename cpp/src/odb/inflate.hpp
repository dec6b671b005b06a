#pragma once
// zlib streams as git stores objects: whole-buffer inflation with libdeflate where the
// output size is known (pack entries), zlib where only a prefix is wanted.
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

// The first bytes of a zlib stream, up to `out_size` (fewer if the stream ends). Returns how
// many were produced, or -1 if the stream is damaged before that.
long inflate_prefix(const unsigned char* in, std::size_t in_size, unsigned char* out, std::size_t out_size);

}  // namespace gitfleet::odb
