#pragma once
// Object ids (SHA-1, 20 bytes) and object types as git stores them.
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace gitfleet::odb {

struct ObjectId {
  static constexpr std::size_t kSize = 20;
  std::array<unsigned char, kSize> bytes{};

  static ObjectId from_raw(const unsigned char* raw) noexcept {
    ObjectId id;
    std::memcpy(id.bytes.data(), raw, kSize);
    return id;
  }
  // 40 hexadecimal digits (either case); nullopt for anything else.
  static std::optional<ObjectId> from_hex(std::string_view hex) noexcept;

  std::string hex() const;
  friend bool operator==(const ObjectId&, const ObjectId&) = default;
  friend auto operator<=>(const ObjectId&, const ObjectId&) = default;
};

struct ObjectIdHash {
  std::size_t operator()(const ObjectId& id) const noexcept {
    std::size_t h;
    std::memcpy(&h, id.bytes.data(), sizeof h);  // object ids are already uniformly distributed
    return h;
  }
};

// The values git writes in pack entry headers (5 is reserved).
enum class ObjectType : std::uint8_t { Commit = 1, Tree = 2, Blob = 3, Tag = 4 };

const char* type_name(ObjectType type) noexcept;

}  // namespace gitfleet::odb
