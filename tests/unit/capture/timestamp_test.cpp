// Timestamp units of pcapng's if_tsresol (a power of 10 or of 2) with values
// worked out by hand.
#include <catch2/catch.hpp>

#include <limits>

#include "core/capture/timestamp.h"

using namespace tlsring::capture;

TEST_CASE("timestamp: if_tsresol powers of ten") {
  CHECK(ticks_to_ns(1'500000, TimestampUnit::from_tsresol(6)) == 1'500000000);  // microseconds
  CHECK(ticks_to_ns(7, TimestampUnit::from_tsresol(9)) == 7);                   // nanoseconds
  CHECK(ticks_to_ns(3, TimestampUnit::from_tsresol(0)) == 3'000000000);         // seconds
  CHECK(ticks_to_ns(123456789012, TimestampUnit::from_tsresol(12)) == 123456789);  // picoseconds, truncated
  CHECK(ticks_to_ns(std::numeric_limits<std::uint64_t>::max(), TimestampUnit::from_tsresol(40)) == 0);
}

TEST_CASE("timestamp: if_tsresol powers of two") {
  // 0x80 | 20: units of 2^-20 s; 3 s and a half.
  CHECK(ticks_to_ns((3ULL << 20) | (1ULL << 19), TimestampUnit::from_tsresol(0x80 | 20)) == 3'500000000);
  // 2^-32 s (NTP-like): one quarter second.
  CHECK(ticks_to_ns(1ULL << 30, TimestampUnit::from_tsresol(0x80 | 32)) == 250000000);
  // 2^-40 s: 2^39 ticks are half a second (exercises the wide-fraction path).
  CHECK(ticks_to_ns(1ULL << 39, TimestampUnit::from_tsresol(0x80 | 40)) == 500000000);
  // 2^-64 s: the top bit alone is half a second.
  CHECK(ticks_to_ns(1ULL << 63, TimestampUnit::from_tsresol(0x80 | 64)) == 500000000);
  CHECK(ticks_to_ns(5, TimestampUnit::from_tsresol(0x80)) == 5'000000000);
}

TEST_CASE("timestamp: if_tsoffset and saturation") {
  CHECK(ticks_to_ns(10, TimestampUnit::from_tsresol(0), -4) == 6'000000000);
  CHECK(ticks_to_ns(0, TimestampUnit::from_tsresol(6), -1) == -1'000000000);
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  CHECK(ticks_to_ns(std::numeric_limits<std::uint64_t>::max(), TimestampUnit::from_tsresol(6)) == kMax);
  CHECK(ticks_to_ns(1, TimestampUnit::from_tsresol(9), std::numeric_limits<std::int64_t>::max()) == kMax);
  CHECK(ticks_to_ns(1, TimestampUnit::from_tsresol(9), std::numeric_limits<std::int64_t>::min()) == kMin);
  CHECK(seconds_to_ns(1700000000, 999999, 1000) == 1700000000'999999000);
  CHECK(seconds_to_ns(0xffffffffULL, 999999999, 1) == 4294967295'999999999);
}

TEST_CASE("timestamp: a time to the second in UTC, before 1970 and at the ends of the range too") {
  using tlsring::capture::utc_second_text;
  constexpr std::int64_t kSecond = 1'000'000'000;
  // The expected texts are GNU date's (date -u -d @SECONDS +%FT%TZ).
  CHECK(utc_second_text(0) == "1970-01-01T00:00:00Z");
  CHECK(utc_second_text(1'700'000'000'999'999'999) == "2023-11-14T22:13:20Z");  // cut, not rounded
  CHECK(utc_second_text(1'709'208'000 * kSecond) == "2024-02-29T12:00:00Z");
  CHECK(utc_second_text(-1) == "1969-12-31T23:59:59Z");
  CHECK(utc_second_text(std::numeric_limits<std::int64_t>::max()) == "2262-04-11T23:47:16Z");
  CHECK(utc_second_text(std::numeric_limits<std::int64_t>::min()) == "1677-09-21T00:12:43Z");
}
