// Sizes as written in the config file: one whole number followed by one unit,
// no space: "4096B", "64KiB", "500MiB", "2GiB", "10MB".
// Units: B; KB, MB, GB, TB (powers of 1000); KiB, MiB, GiB, TiB (powers of 1024).
// Units are case-sensitive ("mb" could be megabits).
//
// Strict on purpose: a bare number, a sign, a fraction ("1.5GiB"), a space
// ("500 MiB"), an unknown unit and a value beyond 2^64-1 bytes are refused with
// a message that says what was wrong and what is allowed. "0B" parses (to 0);
// whether zero is acceptable is the caller's decision.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::config {

inline constexpr std::uint64_t kKiB = 1024;
inline constexpr std::uint64_t kMiB = 1024 * kKiB;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;
inline constexpr std::uint64_t kTiB = 1024 * kGiB;

Result<std::uint64_t> parse_size_bytes(std::string_view text);

// A text parse_size_bytes() reads back as `bytes`, using the unit that gives
// the smallest whole number (binary units win a tie): 64*2^20 -> "64MiB",
// 10'000'000 -> "10MB", 1536*2^20 -> "1536MiB", 4097 -> "4097B", 0 -> "0B".
std::string format_size(std::uint64_t bytes);

// "12.3 GiB", "512 KiB", "100 B": a size for people to read (rounded), not
// for the config file.
std::string human_size(std::uint64_t bytes);

}  // namespace tlsring::config
