#include "gitfleet/git/line_stats.hpp"

#include <git2.h>

#include <algorithm>
#include <cstring>

#include "gitfleet/git/libgit2_handles.hpp"

namespace gitfleet::git {
namespace {

// git's buffer_is_binary() looks at this many leading bytes.
constexpr std::size_t kBinaryProbeBytes = 8000;
// git treats blobs above core.bigFileThreshold (default 512 MiB) as binary.
constexpr std::size_t kBigFileThreshold = 512u * 1024 * 1024;

int count_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* line, void* payload) {
  auto* stats = static_cast<LineStats*>(payload);
  if (line->origin == GIT_DIFF_LINE_ADDITION) ++stats->additions;
  else if (line->origin == GIT_DIFF_LINE_DELETION) ++stats->deletions;
  return 0;
}

// Lines as xdiff compares them: each with its '\n' (the last may lack one).
std::string_view line_at(std::string_view data, std::size_t pos) {
  std::size_t end = data.find('\n', pos);
  return data.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos + 1);
}

// Start of the line that ends at `end`, not before `begin` (a line boundary).
std::size_t start_of_last_line(std::string_view data, std::size_t begin, std::size_t end) {
  if (end - begin < 2) return begin;
  std::size_t newline = data.rfind('\n', end - 2);
  return newline == std::string_view::npos || newline < begin ? begin : newline + 1;
}

// When, once the common leading and trailing lines are set aside (xdiff's own first step),
// one side has nothing left, the diff is forced: the other side's remaining lines are all
// added or all deleted, whatever xdiff's heuristics. Returns false when both sides keep lines.
bool forced_counts(std::string_view a, std::string_view b, LineStats& stats) {
  std::size_t pa = 0, pb = 0;
  while (pa < a.size() && pb < b.size()) {
    std::string_view la = line_at(a, pa), lb = line_at(b, pb);
    if (la != lb) break;
    pa += la.size();
    pb += lb.size();
  }
  // Trailing lines, never reaching back into the leading ones already set aside. The last
  // line of each side is compared whole, so "x" and "x\n" stay different as in xdiff.
  std::size_t ea = a.size(), eb = b.size();
  while (ea > pa && eb > pb) {
    std::size_t sa = start_of_last_line(a, pa, ea), sb = start_of_last_line(b, pb, eb);
    if (a.substr(sa, ea - sa) != b.substr(sb, eb - sb)) break;
    ea = sa;
    eb = sb;
  }
  if (ea > pa && eb > pb) return false;
  stats.deletions = count_lines(a.substr(pa, ea - pa));
  stats.additions = count_lines(b.substr(pb, eb - pb));
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

LineStats line_stats(const BlobContent& before, const BlobContent& after) {
  std::string_view old_data = before.data, new_data = after.data;
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
  ensure_libgit2();
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags = GIT_DIFF_FORCE_TEXT;
  // With both blobs at hand libgit2 knows their ids (from plain buffers it would SHA-1 them).
  // The empty "as path" skips libgit2's per-call .gitattributes lookup (six stat calls):
  // numstat, like git's without attributes, needs only the default text driver.
  int rc = before.blob && after.blob
               ? git_diff_blobs(before.blob, "", after.blob, "", &opts, nullptr, nullptr, nullptr,
                                count_line, &stats)
               : git_diff_buffers(old_data.data(), old_data.size(), nullptr, new_data.data(), new_data.size(),
                                  nullptr, &opts, nullptr, nullptr, nullptr, count_line, &stats);
  check(rc, ErrorCode::Internal, "line diff failed");
  return stats;
}

}  // namespace gitfleet::git
