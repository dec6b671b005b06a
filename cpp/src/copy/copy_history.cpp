#include "copy_history.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "file_ops.hpp"

namespace gitfleet::copy {
using namespace protocol;

namespace {
constexpr std::uint32_t kHistoryMagic = 0x48434145;  // "EACH"
constexpr std::uint32_t kHistoryVersion = 1;

template <class Map, class Key>
void erase_if_points_to(Map& map, const Key& key, typename Map::mapped_type it) {
  auto found = map.find(key);
  if (found != map.end() && found->second == it) map.erase(found);
}
}  // namespace

CopyHistory::CopyHistory(std::size_t capacity, std::filesystem::path file)
    : capacity_(capacity ? capacity : 1), file_(std::move(file)) {}

std::string CopyHistory::key_of(const std::string& name, std::uint64_t size, std::int64_t mtime_ns) {
  std::string key = name;
  key.push_back('\0');
  key.append(std::to_string(size)).push_back('\0');
  key.append(std::to_string(mtime_ns));
  return key;
}

void CopyHistory::record(const HistoryEntry& entry) {
  std::lock_guard lock(mutex_);
  record_locked(entry);
}

void CopyHistory::record_locked(const HistoryEntry& e) {
  if (auto old = by_stored_.find(e.stored); old != by_stored_.end()) erase_locked(old->second);
  entries_.push_front(e);
  It it = entries_.begin();
  by_stored_[e.stored] = it;
  by_key_[key_of(e.name, e.size, e.mtime_ns)] = it;
  by_name_[e.name] = it;
  by_content_[HashKey{e.size, e.hash.lo, e.hash.hi}] = it;
  ++sizes_[e.size];
  while (entries_.size() > capacity_) erase_locked(std::prev(entries_.end()));
  ++changes_;
}

void CopyHistory::erase_locked(It it) {
  erase_if_points_to(by_stored_, it->stored, it);
  erase_if_points_to(by_key_, key_of(it->name, it->size, it->mtime_ns), it);
  erase_if_points_to(by_name_, it->name, it);
  erase_if_points_to(by_content_, HashKey{it->size, it->hash.lo, it->hash.hi}, it);
  if (--sizes_[it->size] == 0) sizes_.erase(it->size);
  entries_.erase(it);
  ++changes_;
}

std::optional<HistoryEntry> CopyHistory::touch_locked(It it) {
  entries_.splice(entries_.begin(), entries_, it);  // iterators stay valid
  return *it;
}

void CopyHistory::forget(const std::string& stored) {
  std::lock_guard lock(mutex_);
  if (auto it = by_stored_.find(stored); it != by_stored_.end()) erase_locked(it->second);
}

std::optional<HistoryEntry> CopyHistory::by_key(const std::string& name, std::uint64_t size, std::int64_t mtime_ns) {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find(key_of(name, size, mtime_ns));
  return it == by_key_.end() ? std::nullopt : touch_locked(it->second);
}

std::optional<HistoryEntry> CopyHistory::by_content(std::uint64_t size, const ContentHash& hash) {
  std::lock_guard lock(mutex_);
  auto it = by_content_.find(HashKey{size, hash.lo, hash.hi});
  return it == by_content_.end() ? std::nullopt : touch_locked(it->second);
}

std::optional<HistoryEntry> CopyHistory::latest_named(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? std::nullopt : touch_locked(it->second);
}

bool CopyHistory::has_size(std::uint64_t size) {
  std::lock_guard lock(mutex_);
  return sizes_.count(size) != 0;
}

std::size_t CopyHistory::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void CopyHistory::load() {
  if (file_.empty()) return;
  std::ifstream in(file_, std::ios::binary);
  if (!in) return;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string data = buffer.str();
  std::vector<HistoryEntry> loaded;
  try {
    Reader r(data);
    if (r.u32() != kHistoryMagic || r.u32() != kHistoryVersion) return;
    std::uint64_t count = r.u64();
    for (std::uint64_t i = 0; i < count; ++i) {
      HistoryEntry e;
      e.name = r.str(4096);
      e.stored = r.str(8192);
      e.size = r.u64();
      e.mtime_ns = r.i64();
      e.stored_mtime_ns = r.i64();
      e.hash.lo = r.u64();
      e.hash.hi = r.u64();
      loaded.push_back(std::move(e));
    }
    r.expect_end();
  } catch (const ProtocolError&) {
    return;  // a damaged history is only a lost cache
  }
  std::lock_guard lock(mutex_);
  for (auto e = loaded.rbegin(); e != loaded.rend(); ++e) record_locked(*e);  // saved newest first
  saved_changes_ = changes_;
}

void CopyHistory::save() {
  if (file_.empty()) return;
  Writer w;
  std::uint64_t snapshot;
  {
    std::lock_guard lock(mutex_);
    if (changes_ == saved_changes_) return;
    snapshot = changes_;
    w.u32(kHistoryMagic);
    w.u32(kHistoryVersion);
    w.u64(entries_.size());
    for (const auto& e : entries_) {
      w.str(e.name);
      w.str(e.stored);
      w.u64(e.size);
      w.i64(e.mtime_ns);
      w.i64(e.stored_mtime_ns);
      w.u64(e.hash.lo);
      w.u64(e.hash.hi);
    }
  }
  TemporaryFile temp(file_);
  ::fchmod(temp.fd(), 0600);
  write_all(temp.fd(), w.bytes(), file_.string());
  temp.publish();
  std::lock_guard lock(mutex_);
  saved_changes_ = std::max(saved_changes_, snapshot);
}

}  // namespace gitfleet::copy
