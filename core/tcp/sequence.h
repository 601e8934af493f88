// TCP sequence numbers to 64-bit stream offsets. A pure function; the tracker
// keeps, per direction, the sequence number of offset 0 (`base`) and the next
// offset it expects (`reference`), and unwraps every sequence or ack number
// relative to them, so streams longer than 4 GiB and ISNs near 2^32 just work.
#pragma once

#include <cstdint>

namespace tlsring::tcp {

// The stream offset of sequence number `seq` in a direction whose offset 0 is
// sequence number `base`: of the offsets congruent to (seq - base) modulo 2^32,
// the one nearest `reference` (at most 2^31 - 1 ahead of it, at most 2^31
// behind). Negative when that offset lies before offset 0.
constexpr std::int64_t unwrap_sequence(std::uint32_t seq, std::uint32_t base, std::uint64_t reference) {
  const std::uint32_t relative = seq - base;
  const auto delta = static_cast<std::int32_t>(relative - static_cast<std::uint32_t>(reference));
  return static_cast<std::int64_t>(reference) + delta;
}

}  // namespace tlsring::tcp
