// The object store's parsers and readers on hand-made input, damaged input above all: each
// damage is an Error(ObjectError) naming the object, never a crash, a hang or a read past the
// data.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "delta.hpp"
#include "gitfleet/core/error.hpp"
#include "gitfleet/odb/commit.hpp"
#include "gitfleet/odb/tree.hpp"
#include "loose_object.hpp"
#include "temp_files.hpp"

using namespace gitfleet;
using namespace gitfleet::odb;

namespace {

const ObjectId kId = *ObjectId::from_hex("0123456789abcdef0123456789abcdef01234567");

Object object_of(ObjectType type, const std::string& bytes) {
  auto storage = std::make_shared<char[]>(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), storage.get());
  return Object{type, storage, bytes.size()};
}

std::string deflate(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()), data.size());
  out.resize(size);
  return out;
}

std::string apply(const std::string& base, const std::string& delta, std::size_t out_size, const char** error) {
  std::string out(out_size, '\0');
  *error = apply_delta(base, reinterpret_cast<const unsigned char*>(delta.data()), delta.size(), out.data(), out_size);
  return out;
}

}  // namespace

TEST(ObjectId, HexRoundTripAndRejects) {
  EXPECT_EQ(kId.hex(), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(ObjectId::from_hex("0123456789ABCDEF0123456789ABCDEF01234567"), kId);
  EXPECT_FALSE(ObjectId::from_hex("0123"));
  EXPECT_FALSE(ObjectId::from_hex("g123456789abcdef0123456789abcdef01234567"));
}

TEST(Delta, CopiesAndInserts) {
  // base 10 bytes, result 7: copy 4 bytes at offset 3, insert "xyz".
  std::string delta = std::string("\x0a\x07", 2) + "\x91\x03\x04" + "\x03xyz";
  const char* error = nullptr;
  EXPECT_EQ(apply("0123456789", delta, 7, &error), "3456xyz");
  EXPECT_EQ(error, nullptr);
}

TEST(Delta, EveryDamageIsRefused) {
  const char* error = nullptr;
  apply("0123456789", std::string("\x0a\x07", 2) + "\x91\x08\x04" + "\x03xyz", 7, &error);
  EXPECT_STREQ(error, "copy outside the delta base");
  apply("0123456789", std::string("\x0a\x07", 2) + "\x91\x03", 7, &error);
  EXPECT_STREQ(error, "truncated copy instruction");
  apply("0123456789", std::string("\x0a\x07", 2) + "\x05xy", 7, &error);
  EXPECT_STREQ(error, "truncated insert instruction");
  apply("0123456789", std::string("\x0a\x07\x00", 3), 7, &error);
  EXPECT_STREQ(error, "reserved delta instruction 0");
  apply("012345678", std::string("\x0a\x03", 2) + "\x03xyz", 3, &error);
  EXPECT_STREQ(error, "delta base has the wrong size");
  apply("0123456789", std::string("\x0a\x02", 2) + "\x03xyz", 2, &error);
  EXPECT_STREQ(error, "delta writes past its result");
  apply("0123456789", std::string("\x0a\x05", 2) + "\x03xyz", 5, &error);
  EXPECT_STREQ(error, "delta result is shorter than announced");
  apply("0123456789", std::string("\x8a", 1), 0, &error);
  EXPECT_STREQ(error, "truncated delta header");
}

TEST(Commit, ParsesWhatGitWrites) {
  std::string text =
      "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
      "parent 0123456789abcdef0123456789abcdef01234567\n"
      "parent 1123456789abcdef0123456789abcdef01234567\n"
      "author A U Thor  <a@example.com> 1700000000 -0130\n"
      "committer C O Mitter <c@example.com> 1700000100 +0545\n"
      "encoding ISO-8859-1\n"
      "gpgsig -----BEGIN PGP SIGNATURE-----\n"
      " \n"
      " abc\n"
      " -----END PGP SIGNATURE-----\n"
      "\n"
      "Subject\n\nBody\n";
  Commit c(kId, object_of(ObjectType::Commit, text));
  EXPECT_EQ(c.tree().hex(), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  ASSERT_EQ(c.parents().size(), 2u);
  EXPECT_EQ(c.author().name, "A U Thor");
  EXPECT_EQ(c.author().email, "a@example.com");
  EXPECT_EQ(c.author().time, 1700000000);
  EXPECT_EQ(c.author().offset, -90);
  EXPECT_EQ(c.committer().offset, 345);
  EXPECT_EQ(c.encoding(), "ISO-8859-1");
  EXPECT_EQ(c.message(), "Subject\n\nBody\n");
}

TEST(Commit, DamageNamesTheCommit) {
  for (std::string text : {std::string("tree xyz\ncommitter a <b> 1 +0000\n\n"),
                           std::string("committer a <b> 1 +0000\n\nno tree"), std::string("")}) {
    try {
      Commit(kId, object_of(ObjectType::Commit, text));
      FAIL() << "accepted: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::ObjectError);
      EXPECT_NE(std::string(e.what()).find(kId.hex()), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(Commit(kId, object_of(ObjectType::Blob, "tree ...")), Error);
}

TEST(Tree, ParsesAndCanonicalisesModes) {
  std::string raw(20, '\x11');
  std::string text = "100664 a.txt" + std::string(1, '\0') + raw + "40000 dir" + std::string(1, '\0') + raw +
                     "100755 run" + std::string(1, '\0') + raw;
  Tree t(kId, object_of(ObjectType::Tree, text));
  ASSERT_EQ(t.entries().size(), 3u);
  EXPECT_EQ(t.entries()[0].mode, 0100644u);  // git's canon_mode
  EXPECT_TRUE(t.entries()[1].is_tree());
  EXPECT_EQ(t.entries()[2].mode, 0100755u);
  auto found = find_entry(kId, object_of(ObjectType::Tree, text), "run");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, ObjectId::from_raw(reinterpret_cast<const unsigned char*>(raw.data())));
  EXPECT_FALSE(find_entry(kId, object_of(ObjectType::Tree, text), "ru"));
}

TEST(Tree, TruncatedEntriesAreRefused) {
  std::string entry = "100644 a.txt" + std::string(1, '\0') + std::string(20, '\x11');
  for (std::size_t cut = 1; cut < entry.size(); ++cut)
    EXPECT_THROW(Tree(kId, object_of(ObjectType::Tree, entry.substr(0, cut))), Error) << cut;
}

class LooseObjectTest : public gitfleet::testing::TempDirTest {
 protected:
  std::string objects() const { return dir.string(); }
  void store(const std::string& compressed) {
    std::string hex = kId.hex();
    write(dir / hex.substr(0, 2) / hex.substr(2), compressed);
  }
  std::string error() {
    try {
      read_loose(objects(), kId);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::ObjectError);
      return e.what();
    }
    return "no error";
  }
};

TEST_F(LooseObjectTest, ReadsAndChecksLength) {
  EXPECT_FALSE(read_loose(objects(), kId));
  store(deflate(std::string("blob 5\0hello", 12)));
  auto object = read_loose(objects(), kId);
  ASSERT_TRUE(object);
  EXPECT_EQ(object->type, ObjectType::Blob);
  EXPECT_EQ(object->data(), "hello");
  store(deflate(std::string("blob 9\0hello", 12)));
  EXPECT_NE(error().find("shorter than its header says"), std::string::npos);
  store(deflate(std::string("blob 3\0hello", 12)));
  EXPECT_NE(error().find("longer than its header says"), std::string::npos);
  store(deflate(std::string("blub 5\0hello", 12)));
  EXPECT_NE(error().find("unknown type"), std::string::npos);
}

TEST_F(LooseObjectTest, EveryTruncationIsAnErrorNotAHang) {
  std::string content(100000, 'x');
  for (std::size_t i = 0; i < content.size(); i += 7) content[i] = static_cast<char>('a' + i % 26);
  std::string compressed = deflate("blob " + std::to_string(content.size()) + std::string(1, '\0') + content);
  for (std::size_t cut : {std::size_t(1), std::size_t(2), std::size_t(10), compressed.size() / 2, compressed.size() - 1}) {
    store(compressed.substr(0, cut));
    std::string message = error();
    EXPECT_NE(message.find(kId.hex()), std::string::npos) << cut << ": " << message;
  }
}
