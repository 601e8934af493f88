#include "core/tcp/sequence.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

using tlsring::tcp::unwrap_sequence;

TEST_CASE("unwrap_sequence picks the offset nearest the reference across 2^32") {
  struct Row {
    const char* what;
    std::uint32_t seq;
    std::uint32_t base;
    std::uint64_t reference;
    std::int64_t expected;
  };
  constexpr std::int64_t k4G = std::int64_t{1} << 32;
  const std::vector<Row> rows = {
      {"first byte", 1000, 1000, 0, 0},
      {"ahead", 1100, 1000, 0, 100},
      {"one before offset 0 (the SYN)", 999, 1000, 0, -1},
      {"ISN 0xffffffff: sequence 0 is offset 0", 0, 0xffffffffU, 0, 1},
      {"data past the wrap", 0x10, 0xfffffff0U, 0, 0x20},
      {"data before the wrap, reference past it", 0xfffffff8U, 0xfffffff0U, 0x30, 8},
      {"retransmission behind a reference past the wrap", 0x05, 0xffffff9bU, 0x80, 0x6a},
      {"stream longer than 4 GiB", 35, 5, static_cast<std::uint64_t>(k4G + 10), k4G + 30},
      {"retransmission behind a reference past 4 GiB", 55, 5, static_cast<std::uint64_t>(k4G + 100), k4G + 50},
      {"just below 2^33", 0, 5, static_cast<std::uint64_t>(2 * k4G - 5), 2 * k4G - 5},
      {"just above 2^33", 10, 5, static_cast<std::uint64_t>(2 * k4G - 5), 2 * k4G + 5},
      {"2^31 - 1 ahead is ahead", 0x7fffffffU, 0, 0, 0x7fffffff},
      {"2^31 ahead is read as 2^31 behind", 0x80000000U, 0, 0, -(std::int64_t{1} << 31)},
      {"2^31 behind a reference", 0, 0, std::uint64_t{1} << 31, 0},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    CHECK(unwrap_sequence(row.seq, row.base, row.reference) == row.expected);
  }
  static_assert(unwrap_sequence(0, 0xffffffffU, 0) == 1);
}
