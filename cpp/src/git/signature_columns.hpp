#pragma once
// A Signature in Arrow tables: four consecutive columns, <who>_name, <who>_email (dictionary-
// encoded: a history or a blame repeats a few people), <who>_time
// (timestamp, UTC) and <who>_offset (minutes east of UTC), as history and blame tables lay them.
#include <string>
#include <vector>

#include "gitfleet/columnar/record_batch.hpp"
#include "gitfleet/git/signature.hpp"

namespace gitfleet::git {

inline std::vector<columnar::Field> signature_fields(const std::string& who) {
  using columnar::ColumnType;
  return {{who + "_name", ColumnType::Utf8Dictionary},
          {who + "_email", ColumnType::Utf8Dictionary},
          {who + "_time", ColumnType::TimestampUtc},
          {who + "_offset", ColumnType::Int16}};
}

inline void append_signature(columnar::RecordBatchBuilder& rows, std::size_t first, const Signature& s) {
  rows[first].append_string(s.name);
  rows[first + 1].append_string(s.email);
  rows[first + 2].append_int(s.timestamp);
  rows[first + 3].append_int(s.offset);
}

}  // namespace gitfleet::git
