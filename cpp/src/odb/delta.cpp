#include "delta.hpp"

#include <cstring>

namespace gitfleet::odb {
namespace {

bool read_size(const unsigned char*& p, const unsigned char* end, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    unsigned char c = *p++;
    value |= std::uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::uint64_t> delta_result_size(const unsigned char* delta, std::size_t size) {
  const unsigned char* p = delta;
  const unsigned char* end = delta + size;
  std::uint64_t base_size, result_size;
  if (!read_size(p, end, base_size) || !read_size(p, end, result_size)) return std::nullopt;
  return result_size;
}

const char* apply_delta(std::string_view base, const unsigned char* delta, std::size_t delta_size, char* out,
                        std::size_t out_size) {
  const unsigned char* p = delta;
  const unsigned char* end = delta + delta_size;
  std::uint64_t base_size, result_size;
  if (!read_size(p, end, base_size) || !read_size(p, end, result_size)) return "truncated delta header";
  if (base_size != base.size()) return "delta base has the wrong size";
  if (result_size != out_size) return "delta result has the wrong size";
  std::size_t written = 0;
  while (p < end) {
    unsigned char cmd = *p++;
    if (cmd & 0x80) {
      std::uint64_t offset = 0, length = 0;
      for (int i = 0; i < 4; ++i)
        if (cmd & (1u << i)) {
          if (p == end) return "truncated copy instruction";
          offset |= std::uint64_t(*p++) << (8 * i);
        }
      for (int i = 0; i < 3; ++i)
        if (cmd & (0x10u << i)) {
          if (p == end) return "truncated copy instruction";
          length |= std::uint64_t(*p++) << (8 * i);
        }
      if (length == 0) length = 0x10000;
      if (offset > base.size() || length > base.size() - offset) return "copy outside the delta base";
      if (length > out_size - written) return "delta writes past its result";
      std::memcpy(out + written, base.data() + offset, length);
      written += length;
    } else if (cmd) {
      if (cmd > static_cast<std::size_t>(end - p)) return "truncated insert instruction";
      if (cmd > out_size - written) return "delta writes past its result";
      std::memcpy(out + written, p, cmd);
      p += cmd;
      written += cmd;
    } else {
      return "reserved delta instruction 0";
    }
  }
  return written == out_size ? nullptr : "delta result is shorter than announced";
}

}  // namespace gitfleet::odb
