#include "gitfleet/odb/object_id.hpp"

namespace gitfleet::odb {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<ObjectId> ObjectId::from_hex(std::string_view hex) noexcept {
  if (hex.size() != 2 * kSize) return std::nullopt;
  ObjectId id;
  for (std::size_t i = 0; i < kSize; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return id;
}

std::string ObjectId::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * kSize, '0');
  for (std::size_t i = 0; i < kSize; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

const char* type_name(ObjectType type) noexcept {
  switch (type) {
    case ObjectType::Commit: return "commit";
    case ObjectType::Tree: return "tree";
    case ObjectType::Blob: return "blob";
    case ObjectType::Tag: return "tag";
  }
  return "unknown";
}

}  // namespace gitfleet::odb
