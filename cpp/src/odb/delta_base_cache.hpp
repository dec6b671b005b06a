#pragma once
// A reader's delta bases by (pack, offset), least recently used dropped past a byte budget:
// a chain is resolved from its nearest cached base, as git does. (A cache of whole objects by
// id was measured too: no faster on history or blame, more memory.)
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "gitfleet/odb/object_database.hpp"

namespace gitfleet::odb {

struct PackOffset {
  const void* pack;
  std::uint64_t offset;
  bool operator==(const PackOffset&) const = default;
};

class DeltaBaseCache {
 public:
  explicit DeltaBaseCache(std::size_t budget) : budget_(budget) {}

  const Object* find(const PackOffset& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &it->second->second;
  }

  void put(const PackOffset& key, const Object& object) {
    if (object.size > budget_ / 4) return;  // one huge object would evict everything else
    if (index_.count(key)) return;
    lru_.emplace_front(key, object);
    index_.emplace(key, lru_.begin());
    used_ += object.size;
    while (used_ > budget_ && !lru_.empty()) {
      used_ -= lru_.back().second.size;
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }

 private:
  struct Hash {
    std::size_t operator()(const PackOffset& k) const noexcept {
      return std::hash<const void*>{}(k.pack) ^ (k.offset * 0x9E3779B97F4A7C15ull);
    }
  };
  using Entries = std::list<std::pair<PackOffset, Object>>;
  std::size_t budget_;
  std::size_t used_ = 0;
  Entries lru_;
  std::unordered_map<PackOffset, Entries::iterator, Hash> index_;
};

}  // namespace gitfleet::odb
