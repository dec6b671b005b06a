#pragma once
// A read-only memory map of a whole file (packs, indexes, the commit-graph). git writes these
// files once and replaces them by rename, never in place, so a mapping stays valid.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace gitfleet::odb {

class MappedFile {
 public:
  // Throws Error(ObjectError) naming the file if it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Big-endian integers as git's file formats store them.
inline std::uint32_t be32(const unsigned char* p) noexcept {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
inline std::uint64_t be64(const unsigned char* p) noexcept { return std::uint64_t(be32(p)) << 32 | be32(p + 4); }

// The position of a 20-byte id among `count` sorted ones, as pack indexes and the
// commit-graph store them: a 256-entry fan-out table (big-endian counts by first byte), then
// records of `stride` bytes holding the id at `skip`.
inline std::optional<std::uint32_t> find_sorted_id(const unsigned char* fanout, const unsigned char* records,
                                                   std::size_t stride, std::size_t skip, std::uint32_t count,
                                                   const unsigned char* id) noexcept {
  std::uint32_t lo = id[0] ? be32(fanout + 4 * (id[0] - 1)) : 0;
  std::uint32_t hi = be32(fanout + 4 * id[0]);
  if (hi > count) hi = count;
  while (lo < hi) {
    std::uint32_t mid = lo + (hi - lo) / 2;
    int c = std::memcmp(records + std::size_t(mid) * stride + skip, id, 20);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return std::nullopt;
}

}  // namespace gitfleet::odb
