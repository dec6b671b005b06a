#include "line_stats.hpp"

#include <algorithm>
#include <cstring>

#include "line_diff.hpp"

namespace gitfleet::git {
namespace {

// git's buffer_is_binary() looks at this many leading bytes.
constexpr std::size_t kBinaryProbeBytes = 8000;
// git treats blobs above core.bigFileThreshold (default 512 MiB) as binary.
constexpr std::size_t kBigFileThreshold = 512u * 1024 * 1024;

// Length of the common prefix of a and b, found with memcmp a block at a time.
std::size_t common_prefix(const char* a, const char* b, std::size_t n) {
  constexpr std::size_t kBlock = 256;
  std::size_t i = 0;
  while (i + kBlock <= n && std::memcmp(a + i, b + i, kBlock) == 0) i += kBlock;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Length of the common suffix of a[0..n) and b[0..m), at most `limit`.
std::size_t common_suffix(const char* a, std::size_t n, const char* b, std::size_t m, std::size_t limit) {
  constexpr std::size_t kBlock = 256;
  std::size_t j = 0;
  while (j + kBlock <= limit && std::memcmp(a + n - j - kBlock, b + m - j - kBlock, kBlock) == 0) j += kBlock;
  while (j < limit && a[n - j - 1] == b[m - j - 1]) ++j;
  return j;
}

// xdiff first sets aside the common leading lines, then the common trailing lines (whole
// lines, each with its '\n'; a last line without one differs from the same text with one).
// When one side then has nothing left, the diff is forced: the other side's remaining lines
// are all added or all deleted, whatever xdiff's heuristics would do with a real middle.
// Returns false when both sides keep lines (xdiff must decide).
bool forced_counts(std::string_view a, std::string_view b, LineStats& stats) {
  std::size_t same = common_prefix(a.data(), b.data(), std::min(a.size(), b.size()));
  // Equal bytes end inside a line (or at the end of one side): keep only whole lines.
  std::size_t newline = same == 0 ? std::string_view::npos : a.rfind('\n', same - 1);
  std::size_t head = newline == std::string_view::npos ? 0 : newline + 1;
  std::size_t tail = common_suffix(a.data(), a.size(), b.data(), b.size(),
                                   std::min(a.size(), b.size()) - head);
  // The trailing lines start at a line start on both sides: after a '\n' inside the equal
  // bytes, or at their very start if both sides have a line break (or the head) just before.
  std::size_t sa = a.size() - tail, sb = b.size() - tail;
  bool starts_here = (sa == head || a[sa - 1] == '\n') && (sb == head || b[sb - 1] == '\n');
  if (!starts_here) {
    std::size_t next = a.find('\n', sa);
    std::size_t skip = next == std::string_view::npos ? tail : next + 1 - sa;
    sa += skip;
    sb += skip;
  }
  if (sa > head && sb > head) return false;
  stats.deletions = count_lines(a.substr(head, sa - head));
  stats.additions = count_lines(b.substr(head, sb - head));
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
