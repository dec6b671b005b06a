// The .mailmap as git applies it: every line form, case folding, precedence, malformed lines.
#include "gitfleet/git/mailmap.hpp"

#include <gtest/gtest.h>

using gitfleet::git::Mailmap;
using Identity = std::pair<std::string, std::string>;

namespace {

const char* kMailmap =
    "# a comment <not@an.entry>\n"
    "Alice Proper <alice@example.com>\n"
    "<bob@example.com> <bob@old.example.com>\n"
    "Carol Canon <carol@example.com> <CAROL@laptop.example.com>\n"
    "Dave Right <dave@example.com> dave wrong <dave@typo.example.com>\r\n"
    "no brackets at all\n"
    "Empty <>\n"
    "  Spaced   Name \t<spaced@example.com>\n";

}  // namespace

TEST(Mailmap, EveryFormAsGitCheckMailmapAnswers) {
  Mailmap m(kMailmap);
  // The answers of `git check-mailmap` with this file (git 2.39).
  EXPECT_EQ(m.map("alice", "ALICE@example.com"), (Identity{"Alice Proper", "ALICE@example.com"}));
  EXPECT_EQ(m.map("Bob", "bob@OLD.example.com"), (Identity{"Bob", "bob@example.com"}));
  EXPECT_EQ(m.map("carol", "carol@laptop.example.com"), (Identity{"Carol Canon", "carol@example.com"}));
  EXPECT_EQ(m.map("Dave Wrong", "dave@typo.example.com"), (Identity{"Dave Right", "dave@example.com"}));
  EXPECT_EQ(m.map("someone else", "dave@typo.example.com"), (Identity{"someone else", "dave@typo.example.com"}));
  EXPECT_EQ(m.map("nobody", "nobody@example.com"), (Identity{"nobody", "nobody@example.com"}));
  EXPECT_EQ(m.map("x", "spaced@example.com"), (Identity{"Spaced   Name", "spaced@example.com"}));
  EXPECT_EQ(m.map("x", ""), (Identity{"x", ""}));  // "Empty <>" maps nothing: an empty e-mail is no entry
}

TEST(Mailmap, LaterLinesOverrideEarlierOnes) {
  Mailmap m("First <a@x>\nSecond <a@x>\nOld <new@x> Who <a@x>\nNewer <newer@x> WHO <a@x>\n");
  EXPECT_EQ(m.map("anyone", "a@x"), (Identity{"Second", "a@x"}));
  EXPECT_EQ(m.map("who", "A@X"), (Identity{"Newer", "newer@x"}));
}

TEST(Mailmap, OnlyAsciiLettersFold) {
  Mailmap m("Émile <e@x> ÉMILE <old@x>\n");
  EXPECT_EQ(m.map("ÉMILE", "old@x"), (Identity{"Émile", "e@x"}));
  EXPECT_EQ(m.map("émile", "old@x"), (Identity{"émile", "old@x"}));  // É and é differ for strcasecmp
}

TEST(Mailmap, EmptyTextMapsNothing) {
  Mailmap m("");
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.map("a", "b"), (Identity{"a", "b"}));
}
