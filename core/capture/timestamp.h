// Capture timestamps: pcapng counts time in units of 10^-n or 2^-n seconds
// (option if_tsresol) plus a per-interface offset in seconds (if_tsoffset);
// pcap counts seconds plus micro- or nanoseconds. Everything becomes signed
// 64-bit nanoseconds since the Unix epoch, saturating instead of wrapping.
#pragma once

#include <cstdint>
#include <string>

namespace tlsring::capture {

// The unit of one timestamp tick.
struct TimestampUnit {
  bool power_of_two = false;  // 2^-exponent seconds, else 10^-exponent seconds
  std::uint8_t exponent = 6;  // the pcapng default: microseconds

  // From the one-byte if_tsresol value: the top bit chooses base 2, the rest is the exponent.
  static TimestampUnit from_tsresol(std::uint8_t tsresol) {
    return TimestampUnit{(tsresol & 0x80) != 0, static_cast<std::uint8_t>(tsresol & 0x7f)};
  }
};

// ticks * unit + offset_seconds, in nanoseconds, clamped to the int64 range.
std::int64_t ticks_to_ns(std::uint64_t ticks, TimestampUnit unit, std::int64_t offset_seconds = 0);

// seconds * 10^9 + fraction * fraction_to_ns (pcap records), clamped.
std::int64_t seconds_to_ns(std::uint64_t seconds, std::uint64_t fraction, std::uint32_t fraction_to_ns);

// "2026-12-07T00:58:07Z": a time to the second, as a person looks for it in a
// message (transcripts keep nanoseconds: core/output/transcript_format.h).
std::string utc_second_text(std::int64_t time_ns);

}  // namespace tlsring::capture
