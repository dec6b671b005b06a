#pragma once
// Record batches built row by row in C++ and exported through the Arrow C data interface:
// a batch is a struct array whose children are the columns. Column types are the few our
// tables need: UTF-8 strings (optionally null), 64/32/16-bit integers, booleans, timestamps
// (seconds, UTC), lists of strings, and dictionary-encoded strings (int32 indices into the
// batch's distinct values, for columns that repeat a few values: names, paths, SHAs). Strings
// must be valid UTF-8 (Arrow requires it).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gitfleet/columnar/arrow_abi.hpp"

namespace gitfleet::columnar {

enum class ColumnType { Utf8, Int64, Int32, Int16, Bool, TimestampUtc, Utf8List, Utf8Dictionary };

struct Field {
  std::string name;
  ColumnType type;
  bool nullable = false;
};

// One column's data as it is appended; exported as Arrow buffers without copying.
class Column {
 public:
  Column(Field field) : field_(std::move(field)) {}  // NOLINT: implicit for brace lists

  const Field& field() const noexcept { return field_; }
  std::int64_t length() const noexcept { return length_; }

  void append_string(std::string_view s);   // Utf8 or Utf8Dictionary, valid UTF-8
  void append_text(std::string_view bytes);  // the same from any bytes: invalid sequences become U+FFFD
  void append_null();                       // nullable columns
  void append_int(std::int64_t v);          // Int64, Int32, Int16, TimestampUtc
  void append_bool(bool v);                 // Bool
  void append_strings(const std::vector<std::string>& items);  // Utf8List

  struct Buffers;  // what an exported column owns

 private:
  friend class RecordBatchBuilder;
  void mark_valid(bool valid);
  bool skipped();  // a column left out of the batches counts its rows and keeps nothing
  void append_index(std::string_view s);
  void push_value(std::int64_t v);  // the low bytes the column's width keeps

  Field field_;
  bool left_out_ = false;
  std::int64_t length_ = 0;
  std::int64_t nulls_ = 0;
  std::vector<std::uint8_t> validity_;  // bit per row, only kept once a null appears
  std::vector<std::uint8_t> values_;    // fixed-width values, bits for Bool, indices for Utf8Dictionary
  std::vector<std::int32_t> offsets_{0};  // Utf8 and the dictionary: into chars_; Utf8List: into the child's rows
  std::string chars_;                    // Utf8 bytes, or the dictionary's
  std::vector<std::int32_t> child_offsets_{0};  // Utf8List: the child strings' offsets into chars_
  std::unordered_map<std::string, std::int32_t> dictionary_;  // Utf8Dictionary: value -> index
  std::int32_t last_index_ = -1;  // Utf8Dictionary: the index appended last (rows repeat their neighbour's)
};

// Where producers cut a batch whatever its row count: well below the 2 GiB of 32-bit offsets.
constexpr std::size_t kMaxBatchBytes = 64u << 20;

// Builds batches of a fixed schema. Append every column of a row, then take() a batch and
// export it; the builder starts the next batch empty. `columns` (empty: all) names the columns
// the batches carry, in schema order: the others are appended to as usual but keep nothing.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(std::vector<Field> schema, const std::vector<std::string>& columns = {});

  Column& operator[](std::size_t i) { return columns_[i]; }
  std::size_t rows() const noexcept { return columns_.empty() ? 0 : static_cast<std::size_t>(columns_[0].length()); }
  std::size_t bytes() const noexcept;  // memory the current batch holds, roughly

  // Moves the current batch into `array` (a struct array of the columns) and describes it in
  // `schema`; the consumer calls their release callbacks. Throws if columns differ in length.
  void export_batch(ArrowArray* array, ArrowSchema* schema);
  // Only the schema (for an empty result, or a stream's schema).
  void export_schema(ArrowSchema* schema) const;

 private:
  void start_batch();

  std::vector<Field> fields_;
  std::vector<bool> kept_;  // per field
  std::vector<Column> columns_;
};

// An exported batch owned in C++ until handed over: released on destruction if nobody took it.
struct ExportedBatch {
  ArrowArray array{};
  ArrowSchema schema{};
  ExportedBatch() = default;
  ExportedBatch(ExportedBatch&& other) noexcept;
  ExportedBatch& operator=(ExportedBatch&& other) noexcept;
  ExportedBatch(const ExportedBatch&) = delete;
  ExportedBatch& operator=(const ExportedBatch&) = delete;
  ~ExportedBatch();
  std::int64_t rows() const noexcept { return array.release ? array.length : 0; }
};

}  // namespace gitfleet::columnar
