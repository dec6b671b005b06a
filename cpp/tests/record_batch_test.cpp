// Record batches as the Arrow C data interface lays them out: buffers, validity bits, list
// offsets, the schema's formats and flags, and release callbacks that free everything once.
#include "gitfleet/columnar/record_batch.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "gitfleet/core/error.hpp"

using namespace gitfleet::columnar;

namespace {

std::string utf8_at(const ArrowArray* a, std::int64_t i) {
  const auto* offsets = static_cast<const std::int32_t*>(a->buffers[1]);
  const char* data = static_cast<const char*>(a->buffers[2]);
  return std::string(data + offsets[i], static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
}

bool bit(const void* buffer, std::int64_t i) {
  return (static_cast<const std::uint8_t*>(buffer)[i / 8] >> (i % 8)) & 1;
}

}  // namespace

TEST(RecordBatch, ExportsColumnsWithTheirBuffersAndSchema) {
  RecordBatchBuilder b({{"name", ColumnType::Utf8},
                        {"old", ColumnType::Utf8, true},
                        {"n", ColumnType::Int64},
                        {"offset", ColumnType::Int16},
                        {"flag", ColumnType::Bool, true},
                        {"when", ColumnType::TimestampUtc},
                        {"parents", ColumnType::Utf8List}});
  for (int row = 0; row < 10; ++row) {
    b[0].append_string("row" + std::to_string(row));
    if (row % 3 == 0)
      b[1].append_null();
    else
      b[1].append_string("was" + std::to_string(row));
    b[2].append_int(row * 1000000000000LL);
    b[3].append_int(-60 * row);
    if (row == 9)
      b[4].append_null();  // the last row null: the values buffer still covers it
    else
      b[4].append_bool(row % 2 == 1);
    b[5].append_int(1600000000 + row);
    b[6].append_strings(row % 2 ? std::vector<std::string>{"p", "q"} : std::vector<std::string>{});
  }
  EXPECT_EQ(b.rows(), 10u);
  ExportedBatch out;
  b.export_batch(&out.array, &out.schema);
  EXPECT_EQ(b.rows(), 0u);  // the builder starts afresh

  EXPECT_STREQ(out.schema.format, "+s");
  ASSERT_EQ(out.schema.n_children, 7);
  EXPECT_STREQ(out.schema.children[0]->format, "u");
  EXPECT_STREQ(out.schema.children[0]->name, "name");
  EXPECT_EQ(out.schema.children[0]->flags, 0);
  EXPECT_EQ(out.schema.children[1]->flags, ARROW_FLAG_NULLABLE);
  EXPECT_STREQ(out.schema.children[3]->format, "s");
  EXPECT_STREQ(out.schema.children[5]->format, "tss:UTC");
  EXPECT_STREQ(out.schema.children[6]->format, "+l");
  EXPECT_STREQ(out.schema.children[6]->children[0]->format, "u");

  ASSERT_EQ(out.array.length, 10);
  ASSERT_EQ(out.array.n_children, 7);
  const ArrowArray* name = out.array.children[0];
  EXPECT_EQ(name->buffers[0], nullptr);  // no nulls, no validity buffer
  EXPECT_EQ(utf8_at(name, 7), "row7");
  const ArrowArray* old = out.array.children[1];
  EXPECT_EQ(old->null_count, 4);
  EXPECT_FALSE(bit(old->buffers[0], 3));
  EXPECT_TRUE(bit(old->buffers[0], 4));
  EXPECT_EQ(utf8_at(old, 4), "was4");
  EXPECT_EQ(static_cast<const std::int64_t*>(out.array.children[2]->buffers[1])[9], 9000000000000LL);
  EXPECT_EQ(static_cast<const std::int16_t*>(out.array.children[3]->buffers[1])[2], -120);
  const ArrowArray* flag = out.array.children[4];
  EXPECT_EQ(flag->null_count, 1);
  EXPECT_TRUE(bit(flag->buffers[1], 1));
  EXPECT_FALSE(bit(flag->buffers[0], 9));
  const ArrowArray* parents = out.array.children[6];
  const auto* list_offsets = static_cast<const std::int32_t*>(parents->buffers[1]);
  EXPECT_EQ(list_offsets[10], 10);  // five rows of two
  EXPECT_EQ(utf8_at(parents->children[0], list_offsets[3] + 1), "q");

  // Released by the consumer: every node's release is cleared.
  out.array.release(&out.array);
  out.schema.release(&out.schema);
  EXPECT_EQ(out.array.release, nullptr);
  EXPECT_EQ(out.schema.release, nullptr);
}

TEST(RecordBatch, AConsumerMayMoveAChildOutBeforeReleasingTheParent) {
  RecordBatchBuilder b({{"a", ColumnType::Int32}, {"b", ColumnType::Utf8}});
  b[0].append_int(7);
  b[1].append_string("x");
  ExportedBatch out;
  b.export_batch(&out.array, &out.schema);
  ArrowArray moved = *out.array.children[1];
  out.array.children[1]->release = nullptr;  // moved, as the specification allows
  out.array.release(&out.array);
  EXPECT_EQ(utf8_at(&moved, 0), "x");  // still alive: it is the consumer's now
  moved.release(&moved);
  EXPECT_EQ(moved.release, nullptr);
}

TEST(RecordBatch, RefusesNullsWhereTheColumnHasNone) {
  RecordBatchBuilder b({{"a", ColumnType::Utf8}});
  EXPECT_THROW(b[0].append_null(), gitfleet::Error);
}

TEST(RecordBatch, AnEmptyBatchStillHasItsSchema) {
  RecordBatchBuilder b({{"a", ColumnType::Utf8}, {"b", ColumnType::Bool}});
  ExportedBatch out;
  b.export_batch(&out.array, &out.schema);
  EXPECT_EQ(out.rows(), 0);
  EXPECT_EQ(out.schema.n_children, 2);
  EXPECT_EQ(static_cast<const std::int32_t*>(out.array.children[0]->buffers[1])[0], 0);
}

TEST(RecordBatch, DictionaryColumnsHoldEachValueOncePerBatch) {
  RecordBatchBuilder b({{"who", ColumnType::Utf8Dictionary}, {"was", ColumnType::Utf8Dictionary, true}});
  const char* names[] = {"ann", "bob", "ann", "ann", "", "bob", "caí"};
  for (int row = 0; row < 7; ++row) {
    b[0].append_string(names[row]);
    if (row == 2)
      b[1].append_null();
    else
      b[1].append_text(row == 3 ? std::string_view("\xff") : std::string_view(names[6 - row]));
  }
  ExportedBatch out;
  b.export_batch(&out.array, &out.schema);

  const ArrowSchema* who_schema = out.schema.children[0];
  EXPECT_STREQ(who_schema->format, "i");  // int32 indices
  ASSERT_NE(who_schema->dictionary, nullptr);
  EXPECT_STREQ(who_schema->dictionary->format, "u");
  EXPECT_EQ(out.schema.children[1]->flags, ARROW_FLAG_NULLABLE);

  const ArrowArray* who = out.array.children[0];
  ASSERT_NE(who->dictionary, nullptr);
  EXPECT_EQ(who->dictionary->length, 4);  // ann, bob, "", caí: first seen first
  const auto* index = static_cast<const std::int32_t*>(who->buffers[1]);
  for (int row = 0; row < 7; ++row) EXPECT_EQ(utf8_at(who->dictionary, index[row]), names[row]) << row;
  EXPECT_EQ(index[0], index[3]);

  const ArrowArray* was = out.array.children[1];
  EXPECT_EQ(was->null_count, 1);
  EXPECT_FALSE(bit(was->buffers[0], 2));
  const auto* was_index = static_cast<const std::int32_t*>(was->buffers[1]);
  EXPECT_EQ(utf8_at(was->dictionary, was_index[3]), "\xef\xbf\xbd");  // U+FFFD for the invalid byte
  EXPECT_EQ(utf8_at(was->dictionary, was_index[0]), "caí");

  // The next batch has a dictionary of its own.
  b[0].append_string("dee");
  b[1].append_string("dee");
  ExportedBatch next;
  b.export_batch(&next.array, &next.schema);
  EXPECT_EQ(next.array.children[0]->dictionary->length, 1);
  EXPECT_EQ(utf8_at(next.array.children[0]->dictionary, 0), "dee");
}

TEST(RecordBatch, CarriesOnlyTheColumnsNamedInSchemaOrder) {
  RecordBatchBuilder b({{"text", ColumnType::Utf8},
                        {"old", ColumnType::Utf8, true},
                        {"n", ColumnType::Int64},
                        {"tag", ColumnType::Utf8Dictionary},
                        {"parents", ColumnType::Utf8List},
                        {"flag", ColumnType::Bool}},
                       {"tag", "n"});
  for (int round = 0; round < 2; ++round) {  // the second batch keeps the same columns
    for (int row = 0; row < 5; ++row) {
      b[0].append_text(std::string(1000, 'x'));
      b[1].append_null();
      b[2].append_int(row);
      b[3].append_string(row % 2 ? "odd" : "even");
      b[4].append_strings({"p"});
      b[5].append_bool(true);
    }
    EXPECT_EQ(b.rows(), 5u);
    EXPECT_LT(b.bytes(), 200u);  // the long texts were not kept
    ExportedBatch out;
    b.export_batch(&out.array, &out.schema);
    ASSERT_EQ(out.schema.n_children, 2);
    EXPECT_STREQ(out.schema.children[0]->name, "n");
    EXPECT_STREQ(out.schema.children[1]->name, "tag");
    ASSERT_EQ(out.array.n_children, 2);
    EXPECT_EQ(out.array.length, 5);
    EXPECT_EQ(static_cast<const std::int64_t*>(out.array.children[0]->buffers[1])[4], 4);
    EXPECT_EQ(utf8_at(out.array.children[1]->dictionary, 1), "odd");
  }
}

TEST(RecordBatch, AnUnknownColumnNameIsRefusedWithTheNamesThereAre) {
  try {
    RecordBatchBuilder({{"sha", ColumnType::Utf8}, {"message", ColumnType::Utf8}}, {"sha", "mesage"});
    FAIL() << "no error";
  } catch (const gitfleet::Error& e) {
    EXPECT_EQ(e.code(), gitfleet::ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("'mesage'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("sha, message"), std::string::npos);
  }
}
