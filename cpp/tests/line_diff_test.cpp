#include "line_diff.hpp"

#include <git2.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

using gitfleet::git::ChangedLines;
using gitfleet::git::diff_hunks;
using gitfleet::git::Hunk;
using gitfleet::git::mark_changed_lines;

namespace {

int collect_hunk(const git_diff_delta*, const git_diff_hunk* h, void* payload) {
  // Unified-diff numbering: an empty side names the line before the change.
  static_cast<std::vector<Hunk>*>(payload)->push_back({h->old_lines ? h->old_start - 1 : h->old_start, h->old_lines,
                                                       h->new_lines ? h->new_start - 1 : h->new_start, h->new_lines});
  return 0;
}

// The reference: git's xdiff as libgit2 carries it, asked for hunks without context, with
// the indent heuristic git uses by default.
std::vector<Hunk> xdiff_hunks(const std::string& a, const std::string& b, bool ignore_whitespace = false) {
  git_libgit2_init();
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = 0;
  opts.interhunk_lines = 0;
  opts.flags = GIT_DIFF_FORCE_TEXT | GIT_DIFF_INDENT_HEURISTIC;
  if (ignore_whitespace) opts.flags |= GIT_DIFF_IGNORE_WHITESPACE;
  std::vector<Hunk> hunks;
  EXPECT_EQ(git_diff_buffers(a.data(), a.size(), nullptr, b.data(), b.size(), nullptr, &opts, nullptr, nullptr,
                             collect_hunk, nullptr, &hunks),
            0);
  return hunks;
}

std::string describe(const std::vector<Hunk>& hunks) {
  std::string s;
  for (const Hunk& h : hunks)
    s += "(" + std::to_string(h.start_a) + "," + std::to_string(h.count_a) + " " + std::to_string(h.start_b) + "," +
         std::to_string(h.count_b) + ")";
  return s;
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

// Code-like text: functions of indented blocks closed by braces, with blank lines between,
// so that change groups can slide and the indent heuristic decides where they go. Tabs or
// spaces, and lines indented past the heuristic's cap, are mixed in.
std::string code_like_file(std::mt19937& rng, int functions) {
  std::uniform_int_distribution<int> body(1, 6), stmt(0, 5), pick(0, 9);
  std::string s;
  for (int f = 0; f < functions; ++f) {
    s += "int f" + std::to_string(f % 7) + "(void)\n{\n";
    for (int b = body(rng); b > 0; --b) {
      std::string ind = pick(rng) < 7 ? "\t" : "    ";
      switch (stmt(rng)) {
        case 0:
          s += ind + "if (x) {\n" + ind + ind + "y();\n" + ind + "}\n";
          break;
        case 1:
          s += "\n";
          break;
        case 2:
          s += ind + "return 0;\n";
          break;
        case 3:
          s += std::string(pick(rng) * 25, ' ') + "deep();\n";
          break;
        case 4:
          s += ind + "  \t\n";  // whitespace only: blank to the heuristic
          break;
        default:
          s += ind + "call(" + std::to_string(pick(rng)) + ");\n";
      }
    }
    s += "}\n\n";
  }
  return s;
}

// Inserts and deletes whole lines and blocks of `a`'s own lines elsewhere: runs that repeat
// their neighbours, which is what makes a change group slidable.
std::string shuffle_code(std::mt19937& rng, const std::string& a, int edits) {
  std::vector<std::string> lines;
  for (std::size_t p = 0; p < a.size();) {
    std::size_t nl = a.find('\n', p);
    std::size_t next = nl == std::string::npos ? a.size() : nl + 1;
    lines.push_back(a.substr(p, next - p));
    p = next;
  }
  std::uniform_int_distribution<int> len(1, 9), kind(0, 1);
  for (int e = 0; e < edits && !lines.empty(); ++e) {
    std::uniform_int_distribution<std::size_t> at(0, lines.size() - 1);
    std::size_t from = at(rng), n = std::min<std::size_t>(len(rng), lines.size() - from);
    if (kind(rng)) {
      std::vector<std::string> block(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(from + n));
      std::size_t to = std::uniform_int_distribution<std::size_t>(0, lines.size())(rng);
      lines.insert(lines.begin() + static_cast<long>(to), block.begin(), block.end());
    } else {
      lines.erase(lines.begin() + static_cast<long>(from), lines.begin() + static_cast<long>(from + n));
    }
  }
  std::string b;
  for (const std::string& l : lines) b += l;
  return b;
}

// Changes only whitespace on some lines (spaces, tabs, CR before LF, a dropped last newline).
std::string respace(std::mt19937& rng, const std::string& a) {
  std::bernoulli_distribution touch(0.2);
  std::uniform_int_distribution<int> how(0, 3);
  std::string b;
  for (std::size_t p = 0; p < a.size();) {
    std::size_t nl = a.find('\n', p);
    std::size_t next = nl == std::string::npos ? a.size() : nl + 1;
    std::string line = a.substr(p, next - p);
    if (touch(rng)) {
      switch (how(rng)) {
        case 0:
          line.insert(0, " \t");
          break;
        case 1:
          if (!line.empty() && line.back() == '\n') line.insert(line.size() - 1, "\r");
          break;
        case 2:
          line.insert(line.size() / 2, "  ");
          break;
        default:
          line.erase(std::remove(line.begin(), line.end(), '\t'), line.end());
      }
    }
    b += line;
    p = next;
  }
  if (touch(rng) && !b.empty() && b.back() == '\n') b.pop_back();
  return b;
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

// Our marks count what xdiff's hunks hold, and our hunks are xdiff's, slid as it slides them.
void expect_as_xdiff(const std::string& a, const std::string& b) {
  std::vector<Hunk> ref = xdiff_hunks(a, b);
  std::int64_t additions = 0, deletions = 0;
  for (const Hunk& h : ref) deletions += h.count_a, additions += h.count_b;
  ChangedLines mine;
  mark_changed_lines(a, b, mine);
  ASSERT_EQ(mine.additions, additions) << a.size() << " -> " << b.size() << " bytes";
  ASSERT_EQ(mine.deletions, deletions) << a.size() << " -> " << b.size() << " bytes";
  std::vector<Hunk> hunks;
  diff_hunks(a, b, false, hunks);
  ASSERT_EQ(describe(hunks), describe(ref)) << a.size() << " -> " << b.size() << " bytes";
}

void expect_as_xdiff_ignoring_whitespace(const std::string& a, const std::string& b) {
  std::vector<Hunk> hunks;
  diff_hunks(a, b, true, hunks);
  ASSERT_EQ(describe(hunks), describe(xdiff_hunks(a, b, true))) << a.size() << " -> " << b.size() << " bytes";
}

}  // namespace

TEST(LineDiff, MarksEachSidesLines) {
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
TEST(LineDiff, AsXdiffOnRandomEdits) {
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
TEST(LineDiff, AsXdiffWhereHeuristicsCutIn) {
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
TEST(LineDiff, AsXdiffAmongFrequentLines) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string a = blank_heavy_file(rng, std::uniform_int_distribution<int>(50, 3000)(rng));
    expect_as_xdiff(a, edit(rng, a, std::uniform_int_distribution<int>(1, 60)(rng), -1));
  }
}

// Sparse changes in long files: edit costs past 256 with long common runs between changes,
// where xdiff takes a far-reaching diagonal that ends in a snake as the split.
TEST(LineDiff, AsXdiffWithLongSnakesBetweenChanges) {
  std::mt19937 rng(11);
  for (int round = 0; round < 10; ++round) {
    std::string a = round % 2 ? blank_heavy_file(rng, 20000) : random_file(rng, 20000, 1000000);
    expect_as_xdiff(a, edit(rng, a, 100 + 40 * round, round % 2 ? -1 : 1000000));
  }
}

// Blocks moved around long files: nothing is discarded, so the split itself carries the cost
// with long snakes to choose from. The heuristic split applies only while the cost is under
// xdiff's limit, which passes its trigger (256) once both sides hold 65,536 lines or more.
TEST(LineDiff, AsXdiffWhenBlocksMove) {
  std::mt19937 rng(5);
  for (int round = 0; round < 16; ++round) {
    int lines = round < 8 ? 8000 : 40000;
    std::string a = round % 2 ? blank_heavy_file(rng, lines) : random_file(rng, lines, 1000000);
    std::string b = move_blocks(rng, a, 2 + 3 * round);
    expect_as_xdiff(a, b);
    expect_as_xdiff(a, edit(rng, b, 30, round % 2 ? -1 : 1000000));
  }
}

// Groups that can slide among braces, blank and whitespace-only lines, deep indentation and
// both ends of the file: the indent heuristic and the alignment with the other side's
// changes place them.
TEST(LineDiff, SlidesGroupsAsXdiffInCode) {
  std::mt19937 rng(3);
  for (int round = 0; round < 400; ++round) {
    std::string a = code_like_file(rng, std::uniform_int_distribution<int>(1, 40)(rng));
    std::string b = shuffle_code(rng, a, std::uniform_int_distribution<int>(1, 10)(rng));
    expect_as_xdiff(a, b);
    expect_as_xdiff(b, a);
    // Repeats at either end, where the start- and end-of-file penalties weigh in.
    std::size_t cut = std::uniform_int_distribution<std::size_t>(0, a.size())(rng);
    cut = a.find('\n', cut);
    if (cut == std::string::npos) continue;
    expect_as_xdiff(a, a.substr(0, cut + 1) + a);
    expect_as_xdiff(a, a + a.substr(cut + 1));
  }
}

// -w: lines equal but for git's whitespace are equal; other edits still show.
TEST(LineDiff, IgnoresWhitespaceAsXdiff) {
  std::mt19937 rng(17);
  for (int round = 0; round < 300; ++round) {
    std::string a = code_like_file(rng, std::uniform_int_distribution<int>(1, 25)(rng));
    std::string b = respace(rng, round % 2 ? shuffle_code(rng, a, 4) : a);
    expect_as_xdiff_ignoring_whitespace(a, b);
    expect_as_xdiff_ignoring_whitespace(b, a);
  }
  std::vector<Hunk> hunks;
  diff_hunks("a \tb\r\nc\n", "ab\nc", true, hunks);
  EXPECT_TRUE(hunks.empty());
  // git's isspace() leaves out \v and \f (libgit2's does not): those lines differ.
  diff_hunks("a\fb\nc\vd\n", "ab\ncd\n", true, hunks);
  EXPECT_EQ(describe(hunks), "(0,2 0,2)");
}
