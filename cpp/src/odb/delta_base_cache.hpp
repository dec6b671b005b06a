#pragma once
// Recently inflated delta bases, keyed by (pack, offset), least recently used dropped past a
// byte budget: a delta chain is then resolved from its nearest cached base, as git does.
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>

#include "gitfleet/odb/object_database.hpp"

namespace gitfleet::odb {

class DeltaBaseCache {
 public:
  explicit DeltaBaseCache(std::size_t budget) : budget_(budget) {}

  const Object* find(const void* pack, std::uint64_t offset) {
    auto it = index_.find(Key{pack, offset});
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return &it->second->second;
  }

  void put(const void* pack, std::uint64_t offset, const Object& object) {
    if (object.size > budget_ / 4) return;  // one huge base would evict everything else
    Key key{pack, offset};
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
  struct Key {
    const void* pack;
    std::uint64_t offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return std::hash<const void*>{}(k.pack) ^ (k.offset * 0x9E3779B97F4A7C15ull);
    }
  };
  std::size_t budget_;
  std::size_t used_ = 0;
  std::list<std::pair<Key, Object>> lru_;
  std::unordered_map<Key, std::list<std::pair<Key, Object>>::iterator, KeyHash> index_;
};

}  // namespace gitfleet::odb
