#include "line_stats.hpp"

#include <algorithm>
#include <cstring>

#include "line_diff.hpp"

namespace gitfleet::git {
namespace {

// git treats blobs above core.bigFileThreshold (default 512 MiB) as binary.
constexpr std::size_t kBigFileThreshold = 512u * 1024 * 1024;

// xdiff first sets aside the common leading lines, then the common trailing lines (whole
// lines, each with its '\n'; a last line without one differs from the same text with one).
// When one side then has nothing left, the diff is forced: the other side's remaining lines
// are all added or all deleted, whatever xdiff's heuristics would do with a real middle.
// Returns false when both sides keep lines (xdiff must decide).
bool forced_counts(std::string_view a, std::string_view b, LineStats& stats) {
  const LineEnds ends = common_line_ends(a, b);
  std::size_t sa = a.size() - ends.tail, sb = b.size() - ends.tail;
  if (sa > ends.head && sb > ends.head) return false;
  stats.deletions = count_lines(a.substr(ends.head, sa - ends.head));
  stats.additions = count_lines(b.substr(ends.head, sb - ends.head));
  return true;
}

}  // namespace

bool looks_binary(std::string_view data) noexcept {
  if (data.size() > kBigFileThreshold) return true;
  return std::memchr(data.data(), 0, std::min(data.size(), kBinaryProbeBytes)) != nullptr;
}

std::int64_t count_lines(std::string_view data) noexcept {
  if (data.empty()) return 0;
  auto n = static_cast<std::int64_t>(std::count(data.begin(), data.end(), '\n'));
  return data.back() == '\n' ? n : n + 1;
}

LineStats line_stats(std::string_view old_data, std::string_view new_data) {
  LineStats stats;
  if (looks_binary(old_data) || looks_binary(new_data)) {
    stats.binary = true;
    return stats;
  }
  if (old_data == new_data) return stats;
  if (old_data.empty()) {
    stats.additions = count_lines(new_data);
    return stats;
  }
  if (new_data.empty()) {
    stats.deletions = count_lines(old_data);
    return stats;
  }
  if (forced_counts(old_data, new_data, stats)) return stats;
  // Whole files, not just the differing middle: xdiff classifies lines by how often they
  // occur in the whole file, and the counts must stay git's.
  thread_local ChangedLines changed;
  mark_changed_lines(old_data, new_data, changed);
  stats.additions = changed.additions;
  stats.deletions = changed.deletions;
  return stats;
}

}  // namespace gitfleet::git
