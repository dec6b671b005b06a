#include "gitfleet/git/signature.hpp"

#include <cstdio>

#include "gitfleet/core/text_encoding.hpp"
#include "signature_of.hpp"

namespace gitfleet::git {

std::string offset_string(int offset_minutes) {
  char buf[16];  // git's offsets are at most +-99:59; room for any int keeps the compiler sure
  int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  std::snprintf(buf, sizeof buf, "%c%02d%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

Signature signature_of(const odb::Ident& ident, std::string_view encoding) {
  return {to_utf8(ident.name, encoding), to_utf8(ident.email, encoding), ident.time, ident.offset};
}

}  // namespace gitfleet::git
