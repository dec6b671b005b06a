#pragma once
// git's delta format (pack OFS_DELTA / REF_DELTA entries): the base's size, the result's
// size, then copy-from-base and insert-literal instructions.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gitfleet::odb {

// The result size a delta announces, read from its first bytes; nullopt if malformed.
std::optional<std::uint64_t> delta_result_size(const unsigned char* delta, std::size_t size);

// Applies `delta` to `base` into `out`, which must hold exactly delta_result_size() bytes.
// Returns nullptr on success, or what was wrong (every instruction is bounds-checked).
const char* apply_delta(std::string_view base, const unsigned char* delta, std::size_t delta_size, char* out,
                        std::size_t out_size);

}  // namespace gitfleet::odb
