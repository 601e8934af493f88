// parse_duration_ns / format_duration: valid and invalid texts, expected
// nanosecond counts worked out by hand.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "config/duration.h"

using tlsring::config::format_duration;
using tlsring::config::parse_duration_ns;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;
}

TEST_CASE("duration: valid texts") {
  struct Case {
    const char* text;
    std::int64_t ns;
  };
  const Case cases[] = {
      {"90s", 90 * kSecond},
      {"1h", 3600 * kSecond},
      {"30m", 1800 * kSecond},
      {"500ms", 500'000'000},
      {"1h30m", 5400 * kSecond},
      {"2d", 172800 * kSecond},
      {"1d12h", 129600 * kSecond},
      {"1h0m5s", 3605 * kSecond},
      {"0s", 0},
      {"250us", 250'000},
      {"7ns", 7},
      {"1s500ms", 1'500'000'000},
      {"1d1h1m1s1ms1us1ns", 90061 * kSecond + 1'001'001},
      {"007s", 7 * kSecond},
      // The largest: INT64_MAX ns is 106751d 23h 47m 16s 854ms 775us 807ns.
      {"106751d23h47m16s854ms775us807ns", 9'223'372'036'854'775'807},
      {"9223372036854775807ns", 9'223'372'036'854'775'807},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto result = parse_duration_ns(c.text);
    REQUIRE(result.ok());
    CHECK(result.value() == c.ns);
  }
}

TEST_CASE("duration: invalid texts say what is wrong and what is allowed") {
  struct Case {
    const char* text;
    const char* what;  // a part of the message
  };
  const Case cases[] = {
      {"", "empty duration"},
      {"90", "'90' has no unit after its last number (bare numbers are not allowed)"},
      {"1h30", "'1h30' has no unit after its last number"},
      {"-5s", "'-5s' is negative"},
      {"+5s", "'+5s' is not a duration"},
      {"1h 30m", "'1h 30m' contains a space"},
      {" 1h", "contains a space"},
      {"1h\t", "contains a space"},
      {"1.5h", "'1.5h' has a fraction (use a smaller unit: 1h30m, not 1.5h)"},
      {"5x", "'5x' has an unknown unit 'x'"},
      {"5H", "has an unknown unit 'H'"},
      {"5sec", "has an unknown unit 'sec'"},
      {"h", "'h' is not a duration"},
      {"30m1h", "'30m1h' repeats a unit or puts a smaller unit before a larger one"},
      {"1h1h", "repeats a unit"},
      {"1h_30m", "is not a duration"},
      {"106752d", "'106752d' is too large (at most 106751d)"},
      {"9223372036854775808ns", "is too large"},
      {"106751d23h47m16s854ms775us808ns", "is too large"},
      {"99999999999999999999999s", "is too large"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto result = parse_duration_ns(c.text);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains(c.what));
    CHECK_THAT(result.error().message,
               Catch::EndsWith("; allowed: whole numbers each followed by a unit (d, h, m, s, ms, us, ns), "
                               "largest unit first, e.g. 90s, 30m, 1h30m, 500ms, 2d"));
  }
}

TEST_CASE("duration: format_duration") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(5400 * kSecond) == "1h30m");
  CHECK(format_duration(3600 * kSecond) == "1h");
  CHECK(format_duration(172800 * kSecond) == "2d");
  CHECK(format_duration(1'500'000'000) == "1s500ms");
  CHECK(format_duration(3605 * kSecond) == "1h5s");
  CHECK(format_duration(90061 * kSecond + 1'001'001) == "1d1h1m1s1ms1us1ns");
  CHECK(format_duration(-90 * kSecond) == "-1m30s");
  CHECK(format_duration(9'223'372'036'854'775'807) == "106751d23h47m16s854ms775us807ns");
  CHECK(format_duration(-9'223'372'036'854'775'807 - 1) == "-106751d23h47m16s854ms775us808ns");
  // What format_duration writes, parse_duration_ns reads back.
  for (std::int64_t ns : {std::int64_t{1}, std::int64_t{999}, 61 * kSecond, 86399 * kSecond + 7, std::int64_t{123456789012345}}) {
    INFO(ns);
    const auto back = parse_duration_ns(format_duration(ns));
    REQUIRE(back.ok());
    CHECK(back.value() == ns);
  }
}
