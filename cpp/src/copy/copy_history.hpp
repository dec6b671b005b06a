#pragma once
// What a copy server has written (private): a bounded LRU of files, found by the key a client
// offers (relative name, size, mtime), by content (size and XXH3-128 hash), and by name alone
// (the latest version, a delta reference). Entries are hints: the caller checks the stored
// file still has the size and mtime recorded before linking it. Thread-safe. Optionally saved
// to a file (atomically) and loaded at start; an unreadable file starts an empty history.
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gitfleet/copy/protocol.hpp"

namespace gitfleet::copy {

struct HistoryEntry {
  std::string name;    // relative to the transfer's directory, as offered
  std::string stored;  // relative to the server's root
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;         // as offered
  std::int64_t stored_mtime_ns = 0;  // of the stored file, to validate it
  protocol::ContentHash hash;
};

class CopyHistory {
 public:
  CopyHistory(std::size_t capacity, std::filesystem::path file);

  void record(const HistoryEntry& entry);
  void forget(const std::string& stored);
  std::optional<HistoryEntry> by_key(const std::string& name, std::uint64_t size, std::int64_t mtime_ns);
  std::optional<HistoryEntry> by_content(std::uint64_t size, const protocol::ContentHash& hash);
  std::optional<HistoryEntry> latest_named(const std::string& name);
  bool has_size(std::uint64_t size);
  std::size_t size();

  void load();
  // No-op without a file or when nothing changed since the last successful save; throws
  // Error if the file cannot be written (the changes stay unsaved).
  void save();

 private:
  using Entries = std::list<HistoryEntry>;
  using It = Entries::iterator;
  struct HashKey {
    std::uint64_t size, lo, hi;
    bool operator==(const HashKey&) const = default;
  };
  struct HashKeyHash {
    std::size_t operator()(const HashKey& k) const { return k.lo ^ (k.size * 0x9e3779b97f4a7c15ull); }
  };

  static std::string key_of(const std::string& name, std::uint64_t size, std::int64_t mtime_ns);
  void record_locked(const HistoryEntry& entry);
  void erase_locked(It it);
  std::optional<HistoryEntry> touch_locked(It it);

  std::mutex mutex_;
  std::size_t capacity_;
  std::filesystem::path file_;
  // Changes made, and how many of them the file holds: a failed save leaves them apart, so
  // the next save tries again (and a change made during a save is not lost either).
  std::uint64_t changes_ = 0;
  std::uint64_t saved_changes_ = 0;
  Entries entries_;  // most recently used first
  std::unordered_map<std::string, It> by_stored_, by_key_, by_name_;
  std::unordered_map<HashKey, It, HashKeyHash> by_content_;
  std::unordered_map<std::uint64_t, std::size_t> sizes_;
};

}  // namespace gitfleet::copy
