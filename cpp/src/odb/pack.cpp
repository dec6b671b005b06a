#include "pack.hpp"

#include <cstring>

#include "gitfleet/core/error.hpp"

namespace gitfleet::odb {
namespace {

constexpr std::size_t kFanoutBytes = 256 * 4;
constexpr std::size_t kHash = ObjectId::kSize;

[[noreturn]] void bad_index(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::ObjectError, "pack index " + path + " is damaged: " + what);
}

}  // namespace

Pack::Pack(const std::string& base) : index_(base + ".idx"), pack_(base + ".pack") {
  const unsigned char* idx = index_.data();
  std::size_t size = index_.size();
  const std::string& path = index_.path();
  if (size >= 8 && std::memcmp(idx, "\377tOc", 4) == 0) {
    version_ = static_cast<int>(be32(idx + 4));
    if (version_ != 2) bad_index(path, "unsupported version " + std::to_string(version_));
    fanout_ = idx + 8;
  } else {
    version_ = 1;
    fanout_ = idx;
  }
  std::size_t header = version_ == 2 ? 8 : 0;
  if (size < header + kFanoutBytes + 2 * kHash) bad_index(path, "too short");
  std::uint32_t previous = 0;
  for (int i = 0; i < 256; ++i) {
    std::uint32_t n = be32(fanout_ + 4 * i);
    if (n < previous) bad_index(path, "fan-out table is not sorted");
    previous = n;
  }
  count_ = previous;
  std::size_t tables = version_ == 2 ? std::size_t(count_) * (kHash + 4 + 4) : std::size_t(count_) * (kHash + 4);
  std::size_t minimum = header + kFanoutBytes + tables + 2 * kHash;
  if (size < minimum) bad_index(path, "shorter than its " + std::to_string(count_) + " objects need");
  names_ = fanout_ + kFanoutBytes;
  if (version_ == 2) {
    offsets32_ = names_ + std::size_t(count_) * (kHash + 4);
    offsets64_ = offsets32_ + std::size_t(count_) * 4;
    if ((size - minimum) % 8 != 0) bad_index(path, "wrong size");
    large_count_ = (size - minimum) / 8;
  } else if (size != minimum) {
    bad_index(path, "wrong size");
  }

  const unsigned char* pack = pack_.data();
  if (pack_.size() < 12 + kHash || std::memcmp(pack, "PACK", 4) != 0)
    throw Error(ErrorCode::ObjectError, "pack " + pack_.path() + " is damaged: no pack header");
  std::uint32_t pack_version = be32(pack + 4);
  if (pack_version != 2 && pack_version != 3)
    throw Error(ErrorCode::ObjectError, "pack " + pack_.path() + ": unsupported version " + std::to_string(pack_version));
  if (be32(pack + 8) != count_)
    throw Error(ErrorCode::ObjectError, "pack index " + path + " does not belong to " + pack_.path() + " (" +
                                            std::to_string(count_) + " objects indexed, " +
                                            std::to_string(be32(pack + 8)) + " packed)");
  // The index ends with the checksum of its pack: a truncated or foreign pack shows here.
  if (std::memcmp(idx + size - 2 * kHash, pack + pack_.size() - kHash, kHash) != 0)
    throw Error(ErrorCode::ObjectError, "pack " + pack_.path() + " does not match its index " + path +
                                            " (truncated or replaced pack)");
  end_ = pack_.size() - kHash;
}

std::optional<std::uint64_t> Pack::find(const ObjectId& id) const noexcept {
  std::size_t stride = version_ == 2 ? kHash : kHash + 4;
  auto mid = find_sorted_id(fanout_, names_, stride, version_ == 2 ? 0 : 4, count_, id.bytes.data());
  if (!mid) return std::nullopt;
  if (version_ == 1) return be32(names_ + std::size_t(*mid) * stride);
  std::uint32_t o = be32(offsets32_ + std::size_t(*mid) * 4);
  if (!(o & 0x80000000u)) return o;
  std::size_t large = o & 0x7fffffffu;
  if (large >= large_count_) return std::uint64_t(~0ull);  // outside the pack: entry() refuses it
  return be64(offsets64_ + large * 8);
}

void Pack::damaged(const ObjectId& id, std::uint64_t offset, const std::string& what) const {
  throw Error(ErrorCode::ObjectError, "object " + id.hex() + " is damaged in " + pack_.path() + " at offset " +
                                          std::to_string(offset) + ": " + what);
}

PackEntry Pack::entry(std::uint64_t offset, const ObjectId& for_id) const {
  if (offset < 12 || offset >= end_) damaged(for_id, offset, "offset outside the pack");
  const unsigned char* p = pack_.data() + offset;
  const unsigned char* end = pack_.data() + end_;
  PackEntry e;
  unsigned char c = *p++;
  e.type = (c >> 4) & 7;
  e.size = c & 15;
  for (int shift = 4; c & 0x80; shift += 7) {
    if (p == end || shift > 57) damaged(for_id, offset, "truncated entry header");
    c = *p++;
    e.size |= std::uint64_t(c & 0x7f) << shift;
  }
  if (e.type == kOfsDelta) {
    if (p == end) damaged(for_id, offset, "truncated delta offset");
    c = *p++;
    std::uint64_t back = c & 0x7f;
    while (c & 0x80) {
      if (p == end || back >= (1ull << 56)) damaged(for_id, offset, "bad delta offset");
      c = *p++;
      back = ((back + 1) << 7) | (c & 0x7f);
    }
    if (back == 0 || back > offset) damaged(for_id, offset, "delta base outside the pack");
    e.base_offset = offset - back;
  } else if (e.type == kRefDelta) {
    if (static_cast<std::size_t>(end - p) < kHash) damaged(for_id, offset, "truncated delta base id");
    e.base_id = ObjectId::from_raw(p);
    p += kHash;
  } else if (e.type < 1 || e.type > 4) {
    damaged(for_id, offset, "unknown entry type " + std::to_string(e.type));
  }
  e.data = static_cast<std::uint64_t>(p - pack_.data());
  if (e.data >= end_) damaged(for_id, offset, "entry runs past the end of the pack");
  return e;
}

}  // namespace gitfleet::odb
