#include "changed_lines.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "line_diff.hpp"

using gitfleet::git::ChangedLines;
using gitfleet::git::mark_changed_lines;

namespace {

struct Counts {
  std::int64_t additions = 0, deletions = 0;
};

int count_hunk(const git_diff_delta*, const git_diff_hunk* hunk, void* payload) {
  auto* c = static_cast<Counts*>(payload);
  c->deletions += hunk->old_lines;
  c->additions += hunk->new_lines;
  return 0;
}

// The reference: git's xdiff as libgit2 carries it, asked for hunks without context.
Counts xdiff_counts(const std::string& a, const std::string& b) {
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags = GIT_DIFF_FORCE_TEXT;
  Counts c;
  gitfleet::git::diff_buffers(a, b, opts, count_hunk, nullptr, &c);
  return c;
}

// Source-like text: a frequent line (blank, as in code) among lines that are mostly unique.
std::string blank_heavy_file(std::mt19937& rng, int n) {
  std::uniform_int_distribution<int> text(0, 1 << 30);
  std::bernoulli_distribution blank(0.35);
  std::string s;
  for (int i = 0; i < n; ++i) s += blank(rng) ? "\n" : "u " + std::to_string(text(rng)) + "\n";
  return s;
}

// A file of `n` lines drawn from `distinct` texts: few texts make many repeated lines
// (xdiff's multi-match discarding), many make most lines unique.
std::string random_file(std::mt19937& rng, int n, int distinct) {
  std::uniform_int_distribution<int> pick(0, distinct - 1);
  std::string s;
  for (int i = 0; i < n; ++i) s += "line " + std::to_string(pick(rng)) + "\n";
  return s;
}

// Edits a copy of `a`: replaces, inserts and deletes runs of lines (new lines from twice the
// vocabulary; a negative `distinct` gives new lines that are unique or blank).
std::string edit(std::mt19937& rng, const std::string& a, int edits, int distinct) {
  std::vector<std::string> lines;
  for (std::size_t p = 0; p < a.size();) {
    std::size_t nl = a.find('\n', p);
    std::size_t next = nl == std::string::npos ? a.size() : nl + 1;
    lines.push_back(a.substr(p, next - p));
    p = next;
  }
  std::uniform_int_distribution<int> kind(0, 2), run(1, 8), text(0, distinct < 0 ? 1 << 30 : distinct * 2);
  std::bernoulli_distribution blank(distinct < 0 ? 0.35 : 0);
  auto line = [&] { return blank(rng) ? std::string("\n") : "line " + std::to_string(text(rng)) + "\n"; };
  for (int e = 0; e < edits; ++e) {
    std::size_t at = lines.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, lines.size())(rng);
    int len = run(rng);
    switch (kind(rng)) {
      case 0:
        for (int i = 0; i < len && at < lines.size(); ++i, ++at) lines[at] = line();
        break;
      case 1:
        for (int i = 0; i < len; ++i) lines.insert(lines.begin() + static_cast<long>(at), line());
        break;
      default:
        lines.erase(lines.begin() + static_cast<long>(at), lines.begin() + static_cast<long>(std::min(lines.size(), at + len)));
    }
  }
  std::string b;
  for (const std::string& l : lines) b += l;
  return b;
}

// Moves blocks of lines around: every line keeps a partner, so the cost is all in the order,
// and the blocks are snakes long enough for xdiff's split heuristic.
std::string move_blocks(std::mt19937& rng, const std::string& a, int moves) {
  std::vector<std::string> blocks;
  std::uniform_int_distribution<int> block_lines(15, 70);
  for (std::size_t p = 0; p < a.size();) {
    std::size_t end = p;
    for (int n = block_lines(rng); n > 0 && end < a.size(); --n) {
      std::size_t nl = a.find('\n', end);
      end = nl == std::string::npos ? a.size() : nl + 1;
    }
    blocks.push_back(a.substr(p, end - p));
    p = end;
  }
  std::uniform_int_distribution<std::size_t> pick(0, blocks.size() - 1);
  for (int m = 0; m < moves; ++m) std::swap(blocks[pick(rng)], blocks[pick(rng)]);
  std::string b;
  for (const std::string& x : blocks) b += x;
  return b;
}

void expect_as_xdiff(const std::string& a, const std::string& b) {
  ChangedLines mine;
  mark_changed_lines(a, b, mine);
  Counts ref = xdiff_counts(a, b);
  ASSERT_EQ(mine.additions, ref.additions) << a.size() << " -> " << b.size() << " bytes";
  ASSERT_EQ(mine.deletions, ref.deletions) << a.size() << " -> " << b.size() << " bytes";
}

}  // namespace

TEST(ChangedLines, MarksEachSidesLines) {
  ChangedLines c;
  mark_changed_lines("a\nb\nc\n", "a\nB\nc\nd", c);
  EXPECT_EQ(c.old_changed, (std::vector<char>{0, 1, 0}));
  EXPECT_EQ(c.new_changed, (std::vector<char>{0, 1, 0, 1}));
  EXPECT_EQ(c.deletions, 1);
  EXPECT_EQ(c.additions, 2);
  mark_changed_lines("same\n", "same\n", c);
  EXPECT_EQ(c.additions + c.deletions, 0);
  mark_changed_lines("x", "x\n", c);  // the newline is part of the line
  EXPECT_EQ(c.deletions, 1);
  EXPECT_EQ(c.additions, 1);
}

// Random small edits on files of mostly unique, mostly repeated and mixed lines.
TEST(ChangedLines, CountsAsXdiffOnRandomEdits) {
  std::mt19937 rng(20261204);
  for (int round = 0; round < 600; ++round) {
    int n = std::uniform_int_distribution<int>(0, 300)(rng);
    int distinct = std::uniform_int_distribution<int>(1, 3)(rng) == 1 ? 4 : 1000;
    std::string a = random_file(rng, n, distinct);
    std::string b = edit(rng, a, std::uniform_int_distribution<int>(1, 12)(rng), distinct);
    expect_as_xdiff(a, b);
  }
}

// Large files rewritten heavily: edit costs past xdiff's heuristic trigger (256) and its
// cost limit, where the split stops being minimal.
TEST(ChangedLines, CountsAsXdiffWhereHeuristicsCutIn) {
  std::mt19937 rng(42);
  for (int round = 0; round < 12; ++round) {
    int distinct = round % 3 == 0 ? 30 : 20000;
    std::string a = random_file(rng, 6000, distinct);
    std::string b = edit(rng, a, 400 + 100 * round, distinct);
    expect_as_xdiff(a, b);
    expect_as_xdiff(a, random_file(rng, 5000, distinct));
  }
}

// Unmatched new lines among frequent blank ones: which blank lines xdiff discards as part of
// a changed run (and which it keeps for the diff proper) decides the counts.
TEST(ChangedLines, CountsAsXdiffAmongFrequentLines) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string a = blank_heavy_file(rng, std::uniform_int_distribution<int>(50, 3000)(rng));
    expect_as_xdiff(a, edit(rng, a, std::uniform_int_distribution<int>(1, 60)(rng), -1));
  }
}

// Sparse changes in long files: edit costs past 256 with long common runs between changes,
// where xdiff takes a far-reaching diagonal that ends in a snake as the split.
TEST(ChangedLines, CountsAsXdiffWithLongSnakesBetweenChanges) {
  std::mt19937 rng(11);
  for (int round = 0; round < 10; ++round) {
    std::string a = round % 2 ? blank_heavy_file(rng, 20000) : random_file(rng, 20000, 1000000);
    expect_as_xdiff(a, edit(rng, a, 100 + 40 * round, round % 2 ? -1 : 1000000));
  }
}

// Blocks moved around long files: nothing is discarded, so the split itself carries the cost
// with long snakes to choose from. The heuristic split applies only while the cost is under
// xdiff's limit, which passes its trigger (256) once both sides hold 65,536 lines or more.
TEST(ChangedLines, CountsAsXdiffWhenBlocksMove) {
  std::mt19937 rng(5);
  for (int round = 0; round < 16; ++round) {
    int lines = round < 8 ? 8000 : 40000;
    std::string a = round % 2 ? blank_heavy_file(rng, lines) : random_file(rng, lines, 1000000);
    std::string b = move_blocks(rng, a, 2 + 3 * round);
    expect_as_xdiff(a, b);
    expect_as_xdiff(a, edit(rng, b, 30, round % 2 ? -1 : 1000000));
  }
}
