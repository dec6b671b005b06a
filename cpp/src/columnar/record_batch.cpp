#include "gitfleet/columnar/record_batch.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <utility>

#include "gitfleet/core/error.hpp"
#include "gitfleet/core/text_encoding.hpp"

namespace gitfleet::columnar {
namespace {

const char* format_of(ColumnType type) {
  switch (type) {
    case ColumnType::Utf8: return "u";
    case ColumnType::Int64: return "l";
    case ColumnType::Int32: return "i";
    case ColumnType::Int16: return "s";
    case ColumnType::Bool: return "b";
    case ColumnType::TimestampUtc: return "tss:UTC";
    case ColumnType::Utf8List: return "+l";
    case ColumnType::Utf8Dictionary: return "i";  // the indices; the values are the dictionary's
  }
  return "n";
}

int width_of(ColumnType type) {
  switch (type) {
    case ColumnType::Int64:
    case ColumnType::TimestampUtc: return 8;
    case ColumnType::Int32:
    case ColumnType::Utf8Dictionary: return 4;
    case ColumnType::Int16: return 2;
    default: return 0;
  }
}

void set_bit(std::vector<std::uint8_t>& bits, std::int64_t i, bool value) {
  std::size_t byte = static_cast<std::size_t>(i / 8);
  if (bits.size() <= byte) bits.resize(byte + 1, 0);
  if (value) bits[byte] |= static_cast<std::uint8_t>(1u << (i % 8));
}

// Exported buffers are exactly as large as their data: a batch lives on in the consumer, and
// grown vectors keep up to twice what they hold.
template <typename Buffer>
Buffer exact(Buffer&& buffer) {
  buffer.shrink_to_fit();
  return std::move(buffer);
}

// What one exported array node owns: its buffers, its children and its dictionary (released
// with it).
struct ArrayHolder {
  std::vector<std::uint8_t> validity, values;
  std::vector<std::int32_t> offsets;
  std::string chars;
  std::vector<const void*> buffers;
  std::vector<std::unique_ptr<ArrowArray>> children;
  std::vector<ArrowArray*> child_pointers;
  std::unique_ptr<ArrowArray> dictionary;
};

void release_array(ArrowArray* array) {
  auto* holder = static_cast<ArrayHolder*>(array->private_data);
  for (ArrowArray* child : holder->child_pointers)
    if (child->release) child->release(child);  // a consumer may have moved a child out
  if (holder->dictionary && holder->dictionary->release) holder->dictionary->release(holder->dictionary.get());
  delete holder;
  array->release = nullptr;
}

void fill_array(ArrowArray* out, ArrayHolder* holder, std::int64_t length, std::int64_t nulls) {
  *out = ArrowArray{};
  out->length = length;
  out->null_count = nulls;
  out->n_buffers = static_cast<std::int64_t>(holder->buffers.size());
  out->buffers = holder->buffers.data();
  for (auto& child : holder->children) holder->child_pointers.push_back(child.get());
  out->n_children = static_cast<std::int64_t>(holder->child_pointers.size());
  out->children = holder->child_pointers.empty() ? nullptr : holder->child_pointers.data();
  out->dictionary = holder->dictionary.get();
  out->release = release_array;
  out->private_data = holder;
}

// A string array of `offsets` into `chars`, without nulls: a list's items, or a dictionary.
std::unique_ptr<ArrowArray> string_array(std::vector<std::int32_t>&& offsets, std::string&& chars) {
  auto* strings = new ArrayHolder;
  strings->offsets = exact(std::move(offsets));
  strings->chars = exact(std::move(chars));
  strings->buffers = {nullptr, strings->offsets.data(), strings->chars.data()};
  auto array = std::make_unique<ArrowArray>();
  fill_array(array.get(), strings, static_cast<std::int64_t>(strings->offsets.size() - 1), 0);
  return array;
}

struct SchemaHolder {
  std::string format, name;
  std::vector<std::unique_ptr<ArrowSchema>> children;
  std::vector<ArrowSchema*> child_pointers;
  std::unique_ptr<ArrowSchema> dictionary;
};

void release_schema(ArrowSchema* schema) {
  auto* holder = static_cast<SchemaHolder*>(schema->private_data);
  for (ArrowSchema* child : holder->child_pointers)
    if (child->release) child->release(child);
  if (holder->dictionary && holder->dictionary->release) holder->dictionary->release(holder->dictionary.get());
  delete holder;
  schema->release = nullptr;
}

void fill_schema(ArrowSchema* out, std::string format, std::string name, bool nullable,
                 std::vector<std::unique_ptr<ArrowSchema>> children, std::unique_ptr<ArrowSchema> dictionary = {}) {
  auto* holder = new SchemaHolder{std::move(format), std::move(name), std::move(children), {}, std::move(dictionary)};
  for (auto& child : holder->children) holder->child_pointers.push_back(child.get());
  *out = ArrowSchema{};
  out->format = holder->format.c_str();
  out->name = holder->name.c_str();
  out->flags = nullable ? ARROW_FLAG_NULLABLE : 0;
  out->n_children = static_cast<std::int64_t>(holder->child_pointers.size());
  out->children = holder->child_pointers.empty() ? nullptr : holder->child_pointers.data();
  out->dictionary = holder->dictionary.get();
  out->release = release_schema;
  out->private_data = holder;
}

std::unique_ptr<ArrowSchema> string_schema(const char* name) {
  auto schema = std::make_unique<ArrowSchema>();
  fill_schema(schema.get(), "u", name, false, {});
  return schema;
}

std::unique_ptr<ArrowSchema> field_schema(const Field& field) {
  std::vector<std::unique_ptr<ArrowSchema>> children;
  if (field.type == ColumnType::Utf8List) children.push_back(string_schema("item"));
  auto schema = std::make_unique<ArrowSchema>();
  fill_schema(schema.get(), format_of(field.type), field.name, field.nullable, std::move(children),
              field.type == ColumnType::Utf8Dictionary ? string_schema("") : nullptr);
  return schema;
}

void check_offset(std::size_t size) {
  if (size > static_cast<std::size_t>(INT32_MAX))
    throw Error(ErrorCode::InvalidArgument, "a record batch column exceeds 2 GiB: take batches sooner");
}

}  // namespace

void Column::mark_valid(bool valid) {
  if (field_.nullable) set_bit(validity_, length_, valid);
  if (!valid) ++nulls_;
  ++length_;
}

bool Column::skipped() {
  if (left_out_) ++length_;
  return left_out_;
}

void Column::append_string(std::string_view s) {
  if (skipped()) return;
  if (field_.type == ColumnType::Utf8Dictionary) {
    append_index(s);
    mark_valid(true);
    return;
  }
  chars_.append(s);
  check_offset(chars_.size());
  offsets_.push_back(static_cast<std::int32_t>(chars_.size()));
  mark_valid(true);
}

void Column::append_index(std::string_view s) {
  std::int32_t index = last_index_;
  if (index < 0 || std::string_view(chars_).substr(offsets_[index], offsets_[index + 1] - offsets_[index]) != s) {
    auto [it, added] = dictionary_.try_emplace(std::string(s), static_cast<std::int32_t>(dictionary_.size()));
    if (added) {
      chars_.append(s);
      check_offset(chars_.size());
      offsets_.push_back(static_cast<std::int32_t>(chars_.size()));
    }
    index = last_index_ = it->second;
  }
  push_value(index);
}

void Column::append_text(std::string_view bytes) {
  if (left_out_ || is_valid_utf8(bytes))  // a left-out column only counts the row
    append_string(bytes);
  else
    append_string(to_utf8(bytes));
}

void Column::append_null() {
  if (!field_.nullable) throw Error(ErrorCode::InvalidArgument, "column '" + field_.name + "' is not nullable");
  if (skipped()) return;
  switch (field_.type) {
    case ColumnType::Utf8: offsets_.push_back(offsets_.back()); break;
    case ColumnType::Utf8List: offsets_.push_back(offsets_.back()); break;
    case ColumnType::Bool: set_bit(values_, length_, false); break;  // the buffer covers every row
    default: values_.resize(values_.size() + static_cast<std::size_t>(width_of(field_.type)), 0);
  }
  mark_valid(false);
}

void Column::push_value(std::int64_t v) {
  // Little-endian hosts only (x86-64, aarch64): the low `width` bytes are the value.
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v);
  values_.insert(values_.end(), bytes, bytes + width_of(field_.type));
}

void Column::append_int(std::int64_t v) {
  if (skipped()) return;
  push_value(v);
  mark_valid(true);
}

void Column::append_bool(bool v) {
  if (skipped()) return;
  set_bit(values_, length_, v);
  mark_valid(true);
}

void Column::append_strings(const std::vector<std::string>& items) {
  if (skipped()) return;
  for (const std::string& s : items) {
    chars_.append(s);
    check_offset(chars_.size());
    child_offsets_.push_back(static_cast<std::int32_t>(chars_.size()));
  }
  check_offset(child_offsets_.size());
  offsets_.push_back(static_cast<std::int32_t>(child_offsets_.size() - 1));
  mark_valid(true);
}

RecordBatchBuilder::RecordBatchBuilder(std::vector<Field> schema, const std::vector<std::string>& columns)
    : fields_(std::move(schema)), kept_(fields_.size(), columns.empty()) {
  for (const std::string& name : columns) {
    auto it = std::find_if(fields_.begin(), fields_.end(), [&](const Field& f) { return f.name == name; });
    if (it == fields_.end()) {
      std::string known;
      for (const Field& f : fields_) known += (known.empty() ? "" : ", ") + f.name;
      throw Error(ErrorCode::InvalidArgument, "unknown column '" + name + "' (the columns are: " + known + ")");
    }
    kept_[static_cast<std::size_t>(it - fields_.begin())] = true;
  }
  start_batch();
}

void RecordBatchBuilder::start_batch() {
  columns_.assign(fields_.begin(), fields_.end());
  for (std::size_t i = 0; i < columns_.size(); ++i) columns_[i].left_out_ = !kept_[i];
}

std::size_t RecordBatchBuilder::bytes() const noexcept {
  std::size_t n = 0;
  for (const Column& c : columns_)
    n += c.validity_.size() + c.values_.size() + c.offsets_.size() * 4 + c.chars_.size() + c.child_offsets_.size() * 4;
  return n;
}

void RecordBatchBuilder::export_schema(ArrowSchema* schema) const {
  std::vector<std::unique_ptr<ArrowSchema>> children;
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (kept_[i]) children.push_back(field_schema(fields_[i]));
  fill_schema(schema, "+s", "", false, std::move(children));
}

void RecordBatchBuilder::export_batch(ArrowArray* array, ArrowSchema* schema) {
  std::int64_t rows = static_cast<std::int64_t>(this->rows());
  for (const Column& c : columns_)
    if (c.length() != rows) throw Error(ErrorCode::Internal, "column '" + c.field().name + "' has a different length");
  auto* batch = new ArrayHolder;
  batch->buffers = {nullptr};
  for (Column& c : columns_) {
    if (c.left_out_) continue;
    auto* holder = new ArrayHolder;
    holder->validity = exact(std::move(c.validity_));
    const void* validity = c.nulls_ ? holder->validity.data() : nullptr;
    auto node = std::make_unique<ArrowArray>();
    switch (c.field().type) {
      case ColumnType::Utf8:
        holder->offsets = exact(std::move(c.offsets_));
        holder->chars = exact(std::move(c.chars_));
        holder->buffers = {validity, holder->offsets.data(), holder->chars.data()};
        break;
      case ColumnType::Utf8List:
        holder->children.push_back(string_array(std::move(c.child_offsets_), std::move(c.chars_)));
        holder->offsets = exact(std::move(c.offsets_));
        holder->buffers = {validity, holder->offsets.data()};
        break;
      case ColumnType::Utf8Dictionary:
        holder->dictionary = string_array(std::move(c.offsets_), std::move(c.chars_));
        holder->values = exact(std::move(c.values_));
        holder->buffers = {validity, holder->values.data()};
        break;
      default:
        holder->values = exact(std::move(c.values_));
        holder->buffers = {validity, holder->values.data()};
    }
    fill_array(node.get(), holder, c.length(), c.nulls_);
    batch->children.push_back(std::move(node));
  }
  fill_array(array, batch, rows, 0);
  export_schema(schema);
  start_batch();
}

ExportedBatch::ExportedBatch(ExportedBatch&& other) noexcept : array(other.array), schema(other.schema) {
  other.array.release = nullptr;
  other.schema.release = nullptr;
}

ExportedBatch& ExportedBatch::operator=(ExportedBatch&& other) noexcept {
  if (this != &other) {
    this->~ExportedBatch();
    array = other.array;
    schema = other.schema;
    other.array.release = nullptr;
    other.schema.release = nullptr;
  }
  return *this;
}

ExportedBatch::~ExportedBatch() {
  if (array.release) array.release(&array);
  if (schema.release) schema.release(&schema);
}

}  // namespace gitfleet::columnar
