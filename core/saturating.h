// Counts that must not wrap: a file's drop counters may be anything, and a sum
// that passed 2^64 would read as a few packets.
#pragma once

#include <cstdint>
#include <limits>

namespace tlsring {

// a + b, or the largest uint64 when the sum does not fit.
constexpr std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return b > std::numeric_limits<std::uint64_t>::max() - a ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

}  // namespace tlsring
