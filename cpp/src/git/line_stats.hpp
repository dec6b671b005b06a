#pragma once
// Added and deleted line counts between two versions of a file, as `git diff --numstat`
// computes them: git's default Myers line diff (changed_lines.hpp), binary files
// (a NUL in the first 8000 bytes) count nothing.
#include <cstdint>
#include <cstddef>
#include <string_view>

namespace gitfleet::git {

struct LineStats {
  std::int64_t additions = 0;
  std::int64_t deletions = 0;
  bool binary = false;
};

// git's buffer_is_binary() looks at this many leading bytes.
constexpr std::size_t kBinaryProbeBytes = 8000;

bool looks_binary(std::string_view data) noexcept;

// Lines as xdiff counts them: a last line without a newline still counts.
std::int64_t count_lines(std::string_view data) noexcept;

// Either side may be empty (an added or deleted file).
LineStats line_stats(std::string_view before, std::string_view after);

}  // namespace gitfleet::git
