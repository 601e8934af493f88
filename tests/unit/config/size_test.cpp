// parse_size_bytes / format_size / human_size: valid and invalid texts, expected byte
// counts worked out by hand.
#include <catch2/catch.hpp>

#include <cstdint>

#include "config/size.h"

using tlsring::config::format_size;
using tlsring::config::human_size;
using tlsring::config::parse_size_bytes;

TEST_CASE("size: valid texts") {
  struct Case {
    const char* text;
    std::uint64_t bytes;
  };
  const Case cases[] = {
      {"500MiB", 524'288'000},
      {"2GiB", 2'147'483'648},
      {"10MB", 10'000'000},
      {"4096B", 4096},
      {"64KiB", 65'536},
      {"10KB", 10'000},
      {"3GB", 3'000'000'000},
      {"2TB", 2'000'000'000'000},
      {"1TiB", 1'099'511'627'776},
      {"0B", 0},
      {"18446744073709551615B", 18'446'744'073'709'551'615u},
      {"16777215TiB", 18'446'742'974'197'923'840u},  // 2^64 - 2^40
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto result = parse_size_bytes(c.text);
    REQUIRE(result.ok());
    CHECK(result.value() == c.bytes);
  }
}

TEST_CASE("size: invalid texts say what is wrong and what is allowed") {
  struct Case {
    const char* text;
    const char* what;
  };
  const Case cases[] = {
      {"", "empty size"},
      {"4096", "'4096' has no unit (bare numbers are not allowed; write 4096B for bytes)"},
      {"-1MiB", "'-1MiB' is negative"},
      {"500 MiB", "'500 MiB' contains a space"},
      {"1.5GiB", "'1.5GiB' has a fraction (use a smaller unit: 1536MiB, not 1.5GiB)"},
      {"500mib", "'500mib' has an unknown unit 'mib'"},
      {"5Mb", "has an unknown unit 'Mb'"},
      {"5K", "has an unknown unit 'K'"},
      {"5MiBB", "has an unknown unit 'MiBB'"},
      {"MiB", "'MiB' is not a size"},
      {"+5B", "is not a size"},
      {"16777216TiB", "'16777216TiB' is too large (at most 16777215TiB)"},
      {"18446744073709551616B", "is too large"},
      {"18446744073709551615KB", "is too large"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto result = parse_size_bytes(c.text);
    REQUIRE_FALSE(result.ok());
    CHECK_THAT(result.error().message, Catch::Contains(c.what));
    CHECK_THAT(result.error().message,
               Catch::EndsWith("; allowed: a whole number followed by a unit: B, KB, MB, GB, TB (powers of 1000) "
                               "or KiB, MiB, GiB, TiB (powers of 1024), e.g. 500MiB, 2GiB, 10MB, 4096B"));
  }
}

TEST_CASE("size: format_size") {
  CHECK(format_size(0) == "0B");
  CHECK(format_size(67'108'864) == "64MiB");
  CHECK(format_size(10'000'000) == "10MB");
  CHECK(format_size(1'610'612'736) == "1536MiB");  // 1.5GiB
  CHECK(format_size(4097) == "4097B");
  CHECK(format_size(1'099'511'627'776) == "1TiB");
  CHECK(format_size(1000) == "1KB");
  CHECK(format_size(1024) == "1KiB");
  // 1'024'000 = 1000KiB = 1024KB: the smaller number wins.
  CHECK(format_size(1'024'000) == "1000KiB");
  for (std::uint64_t bytes : {std::uint64_t{1}, std::uint64_t{1'536'000}, std::uint64_t{3} << 30,
                              std::uint64_t{18'446'744'073'709'551'615u}}) {
    INFO(bytes);
    const auto back = parse_size_bytes(format_size(bytes));
    REQUIRE(back.ok());
    CHECK(back.value() == bytes);
  }
}

TEST_CASE("size: human_size rounds to one unit for people") {
  CHECK(human_size(0) == "0 B");
  CHECK(human_size(512) == "512 B");
  CHECK(human_size(1023) == "1023 B");
  CHECK(human_size(1024) == "1.0 KiB");
  CHECK(human_size(1536) == "1.5 KiB");
  CHECK(human_size(10 * 1024) == "10 KiB");
  CHECK(human_size(std::uint64_t{20} << 30) == "20 GiB");
  CHECK(human_size((std::uint64_t{1} << 30) + (std::uint64_t{1} << 29)) == "1.5 GiB");
}
