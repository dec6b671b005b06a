#include "gitfleet/core/text_encoding.hpp"

#include <gtest/gtest.h>

using gitfleet::is_valid_utf8;
using gitfleet::to_utf8;

TEST(TextEncoding, Utf8PassesThrough) {
  EXPECT_EQ(to_utf8("h\xC3\xA9llo \xE2\x9C\x93"), "h\xC3\xA9llo \xE2\x9C\x93");
}

TEST(TextEncoding, DeclaredLatin1IsConverted) {
  EXPECT_EQ(to_utf8("caf\xE9", "ISO-8859-1"), "caf\xC3\xA9");
}

TEST(TextEncoding, InvalidBytesBecomeReplacementCharacters) {
  std::string out = to_utf8("a\xFF" "b");
  EXPECT_EQ(out, "a\xEF\xBF\xBD" "b");
  EXPECT_TRUE(is_valid_utf8(out));
}

TEST(TextEncoding, RejectsOverlongAndSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));
}

TEST(TextEncoding, UnknownEncodingFallsBackToTheBytes) {
  EXPECT_EQ(to_utf8("plain", "NO-SUCH-ENCODING"), "plain");
}
