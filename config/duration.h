// Durations as written in the config file: whole numbers, each followed by a
// unit, largest unit first, each unit at most once: "90s", "30m", "1h30m",
// "500ms", "2d", "1d12h". Units: d (24h), h, m, s, ms, us, ns.
//
// Strict on purpose: a bare number ("90"), a sign ("-5s", "+5s"), a fraction
// ("1.5h"), a space ("1h 30m"), an unknown or repeated unit and a value beyond
// int64 nanoseconds (about 106751 days) are refused with a message that says
// what was wrong and what is allowed. "0s" parses (to 0); whether zero is
// acceptable is the caller's decision.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::config {

Result<std::int64_t> parse_duration_ns(std::string_view text);

// The shortest text parse_duration_ns() reads back as `ns`, largest unit
// first: 5400e9 -> "1h30m", 1500e6 -> "1s500ms", 0 -> "0s"; negative values
// get a leading '-' (which parse_duration_ns refuses).
std::string format_duration(std::int64_t ns);

}  // namespace tlsring::config
