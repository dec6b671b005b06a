#pragma once
// Where the lines an ignored commit changed most likely came from in its parent: git blame's
// --ignore-rev heuristic (blame.c: fingerprints of lowercased byte pairs, order-preserving
// fuzzy matching around each line's proportional position, then a scan of the whole parent).
// Private to the blame engine.
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gitfleet::git::ignored_lines {

// A line as a multiset of its byte pairs (whitespace as 0, ASCII lowercased, pairs of
// whitespace skipped), keyed exactly as git keys them.
using Fingerprint = std::unordered_map<std::uint32_t, int>;

std::vector<Fingerprint> line_fingerprints(std::string_view content);

struct LineBlame {
  bool is_parent;  // the line goes to the parent, at s_lno; otherwise it stays (unblamable)
  int s_lno;
};

// For target lines [tlno, same) of one hunk whose parent side is parent_len lines from
// tlno + offset. Mutates parent_fps as git does (matched parts are consumed).
std::vector<LineBlame> guess_line_blames(std::vector<Fingerprint>& parent_fps,
                                         const std::vector<Fingerprint>& target_fps, int tlno, int offset,
                                         int same, int parent_len);

}  // namespace gitfleet::git::ignored_lines
