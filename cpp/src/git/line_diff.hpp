#pragma once
// git's default (Myers) line diff, decided exactly as git's xdiff decides it (xdl_do_diff:
// line classes over both whole files, the common ends set aside, lines without a partner
// discarded, then the divide-and-conquer split with xdiff's cost heuristics), without
// libgit2's blob copies, hashing of whole buffers or output formatting.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gitfleet::git {

// Which lines each side has changed. The marks are what `git diff --numstat` counts:
// sliding a change group (xdiff's compaction) moves marks but never changes how many there are.
struct ChangedLines {
  std::vector<char> old_changed;  // one per line of the old side: 1 = deleted
  std::vector<char> new_changed;  // one per line of the new side: 1 = added
  std::int64_t deletions = 0;
  std::int64_t additions = 0;
};

// One change as xdiff's edit script has it: lines [start_a, start_a + count_a) of the old
// side became [start_b, start_b + count_b) of the new one (0-based). An empty side's start is
// the line the other side's lines go before.
struct Hunk {
  int start_a, count_a, start_b, count_b;
};

// The lines two buffers share at their start, then at their end (whole lines, each with its
// '\n'), as byte counts: what xdiff sets aside first when lines are compared byte for byte.
struct LineEnds {
  std::size_t head = 0, tail = 0;
};
LineEnds common_line_ends(std::string_view a, std::string_view b);

// Lines end after each '\n'; a last line without one is a line of its own, different from
// the same text with a newline. The result's vectors are reused between calls.
void mark_changed_lines(std::string_view old_data, std::string_view new_data, ChangedLines& out);

// The changes of `git diff -U0` (and of git blame): the marks above, each change group then
// slid as git slides it (xdl_change_compact with the indent heuristic, git's default), in
// order. With `ignore_whitespace` (-w), lines equal but for spaces, tabs, CR and LF are equal.
void diff_hunks(std::string_view old_data, std::string_view new_data, bool ignore_whitespace, std::vector<Hunk>& out);

}  // namespace gitfleet::git
