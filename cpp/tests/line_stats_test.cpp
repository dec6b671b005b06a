#include "line_stats.hpp"

#include <gtest/gtest.h>

using gitfleet::git::line_stats;
using gitfleet::git::LineStats;

namespace {

LineStats stats(std::string_view a, std::string_view b) { return line_stats(a, b); }

void expect(std::string_view a, std::string_view b, std::int64_t additions, std::int64_t deletions) {
  LineStats s = stats(a, b);
  EXPECT_EQ(s.additions, additions) << "'" << a << "' -> '" << b << "'";
  EXPECT_EQ(s.deletions, deletions) << "'" << a << "' -> '" << b << "'";
  EXPECT_FALSE(s.binary);
}

}  // namespace

TEST(LineStats, PureInsertionsAndDeletions) {
  expect("a\nb\nc\n", "a\nb\nX\nc\n", 1, 0);
  expect("x\ny\n", "y\n", 0, 1);
  expect("same\nsame\nsame\n", "same\nsame\nsame\nsame\nsame\n", 2, 0);
  expect("", "one\ntwo", 2, 0);
  expect("one\ntwo\n", "", 0, 2);
}

TEST(LineStats, TrailingNewlineIsPartOfTheLine) {
  expect("a\nb", "a\nb\n", 1, 1);
  expect("a\n", "a\nb", 1, 0);
  expect("a\nb\n", "a\nb", 1, 1);
}

TEST(LineStats, ReplacementsGoThroughXdiff) {
  expect("a\nb\nc\n", "a\nB\nc\n", 1, 1);
  expect("1\n2\n3\n4\n5\n", "1\nx\n3\ny\n5\n", 2, 2);
  expect("a\r\nb\r\n", "a\nb\r\n", 1, 1);
}

TEST(LineStats, BinaryCountsNothing) {
  LineStats s = stats(std::string_view("a\0b", 3), "text\n");
  EXPECT_TRUE(s.binary);
  EXPECT_EQ(s.additions + s.deletions, 0);
}
