#pragma once
// Which lines of two versions of a file git's default (Myers) line diff marks as changed,
// decided exactly as git's xdiff decides them (xdl_do_diff: line classes over both whole
// files, the common ends set aside, lines without a partner discarded, then the
// divide-and-conquer split with xdiff's cost heuristics), without hunks, sliding or output.
// The marks are what `git diff --numstat` counts: sliding a change group (xdiff's compaction)
// moves marks but never changes how many there are.
#include <cstdint>
#include <string_view>
#include <vector>

namespace gitfleet::git {

struct ChangedLines {
  std::vector<char> old_changed;  // one per line of the old side: 1 = deleted
  std::vector<char> new_changed;  // one per line of the new side: 1 = added
  std::int64_t deletions = 0;
  std::int64_t additions = 0;
};

// Lines end after each '\n'; a last line without one is a line of its own, different from
// the same text with a newline. The result's vectors are reused between calls.
void mark_changed_lines(std::string_view old_data, std::string_view new_data, ChangedLines& out);

}  // namespace gitfleet::git
