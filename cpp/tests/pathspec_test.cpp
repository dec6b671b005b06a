#include "pathspec.hpp"

#include <gtest/gtest.h>

#include "gitfleet/core/error.hpp"

using gitfleet::git::Pathspec;

TEST(Pathspec, EmptyMatchesEverything) {
  Pathspec all;
  EXPECT_TRUE(all.matches("any/file"));
  EXPECT_TRUE(all.may_match_under("any"));
  EXPECT_TRUE(Pathspec({"."}).empty());
}

TEST(Pathspec, LiteralNamesAFileOrALeadingDirectory) {
  Pathspec spec({"src/lib"});
  EXPECT_TRUE(spec.matches("src/lib"));
  EXPECT_TRUE(spec.matches("src/lib/a.c"));
  EXPECT_FALSE(spec.matches("src/library.c"));
  EXPECT_TRUE(spec.may_match_under("src"));
  EXPECT_TRUE(spec.may_match_under("src/lib/deep"));
  EXPECT_FALSE(spec.may_match_under("docs"));
  EXPECT_FALSE(spec.may_match_under("src/li"));
}

TEST(Pathspec, WildcardsCrossDirectories) {
  Pathspec spec({"*.py"});
  EXPECT_TRUE(spec.matches("a/b/c.py"));
  EXPECT_FALSE(spec.matches("a/b/c.pyc"));
  EXPECT_TRUE(spec.may_match_under("anything"));
  Pathspec scoped({"src/*.c"});
  EXPECT_TRUE(scoped.matches("src/x/y.c"));
  EXPECT_FALSE(scoped.may_match_under("docs"));
}

TEST(Pathspec, NormalisesAndRejects) {
  EXPECT_TRUE(Pathspec({"./dir/"}).matches("dir/f"));
  EXPECT_THROW(Pathspec({"/abs"}), gitfleet::Error);
  EXPECT_THROW(Pathspec({""}), gitfleet::Error);
}
