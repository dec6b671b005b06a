#pragma once
// One pack and its index (.idx v1 or v2, 64-bit offsets), mapped and checked against each
// other when opened: an index that belongs to another pack is refused.
#include <cstdint>
#include <optional>
#include <string>

#include "gitfleet/odb/object_id.hpp"
#include "mapped_file.hpp"

namespace gitfleet::odb {

// Entry types as a pack stores them (1-4 are ObjectType values).
constexpr int kOfsDelta = 6;
constexpr int kRefDelta = 7;

struct PackEntry {
  int type = 0;
  std::uint64_t size = 0;        // inflated size (for a delta: of the delta itself)
  std::uint64_t data = 0;        // offset of the zlib stream
  std::uint64_t base_offset = 0; // kOfsDelta
  ObjectId base_id;              // kRefDelta
};

class Pack {
 public:
  // `base` is the path without ".idx" / ".pack". Throws Error(ObjectError) naming the file.
  explicit Pack(const std::string& base);

  std::optional<std::uint64_t> find(const ObjectId& id) const noexcept;
  // The entry header at `offset`; Error(ObjectError) naming `for_id` if it is damaged.
  PackEntry entry(std::uint64_t offset, const ObjectId& for_id) const;
  // The bytes from `offset` to the pack's trailer (where a zlib stream may run).
  const unsigned char* at(std::uint64_t offset) const noexcept { return pack_.data() + offset; }
  std::size_t available(std::uint64_t offset) const noexcept { return end_ - offset; }
  const std::string& name() const noexcept { return pack_.path(); }
  [[noreturn]] void damaged(const ObjectId& id, std::uint64_t offset, const std::string& what) const;

 private:
  MappedFile index_;
  MappedFile pack_;
  int version_ = 2;
  std::uint32_t count_ = 0;
  const unsigned char* fanout_ = nullptr;
  const unsigned char* names_ = nullptr;  // v1: 24-byte records (offset, id); v2: ids
  const unsigned char* offsets32_ = nullptr;
  const unsigned char* offsets64_ = nullptr;
  std::size_t large_count_ = 0;
  std::uint64_t end_ = 0;  // the pack's trailer starts here
};

}  // namespace gitfleet::odb
