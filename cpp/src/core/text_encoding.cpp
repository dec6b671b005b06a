#include "gitfleet/core/text_encoding.hpp"

#include <iconv.h>
#include <strings.h>

#include <cerrno>

namespace gitfleet {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool names_utf8(std::string_view encoding) {
  auto is = [&](std::string_view name) {
    return encoding.size() == name.size() && strncasecmp(encoding.data(), name.data(), name.size()) == 0;
  };
  return encoding.empty() || is("utf-8") || is("utf8");
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) noexcept {
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t n = utf8_sequence_length(bytes, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_utf8(std::string_view bytes, std::string_view declared_encoding) {
  if (!names_utf8(declared_encoding)) {
    std::string encoding(declared_encoding);
    iconv_t cd = iconv_open("UTF-8", encoding.c_str());
    if (cd != reinterpret_cast<iconv_t>(-1)) {
      std::string out(bytes.size() * 4 + 16, '\0');
      char* in = const_cast<char*>(bytes.data());
      std::size_t in_left = bytes.size();
      char* dst = out.data();
      std::size_t out_left = out.size();
      std::size_t rc = iconv(cd, &in, &in_left, &dst, &out_left);
      iconv_close(cd);
      if (rc != static_cast<std::size_t>(-1)) {
        out.resize(out.size() - out_left);
        return replace_invalid_utf8(out);
      }
    }
    // Unknown encoding or bytes invalid in it: fall through, as git does, to the raw bytes.
  }
  if (is_valid_utf8(bytes)) return std::string(bytes);
  return replace_invalid_utf8(bytes);
}

}  // namespace gitfleet
