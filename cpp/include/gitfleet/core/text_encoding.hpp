#pragma once
// Commit metadata is bytes; callers get valid UTF-8, as `git log` prints it.
#include <string>
#include <string_view>

namespace gitfleet {

// Re-encodes `bytes` from `declared_encoding` (a commit's `encoding` header; empty or
// "UTF-8" means UTF-8) into UTF-8. Bytes that are not valid in the source encoding become
// U+FFFD rather than being dropped or failing the whole record.
std::string to_utf8(std::string_view bytes, std::string_view declared_encoding = {});

bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace gitfleet
