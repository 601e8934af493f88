// The pure checks of the list of capture files (daemon/cli/capture_file_order.h).
#include "daemon/cli/capture_file_order.h"

#include <catch2/catch.hpp>

using namespace tlsring;
using tlsring::cli::capture_order_warning;
using tlsring::cli::check_each_capture_once;

namespace {

decrypt::FileSummary file(const std::string& path, std::uint64_t packets, std::int64_t first_ns, std::int64_t last_ns) {
  decrypt::FileSummary summary;
  summary.path = path;
  summary.packets = packets;
  summary.first_timestamp_ns = first_ns;
  summary.last_timestamp_ns = last_ns;
  return summary;
}

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kStart = 1'700'000'000 * kSecond;  // 2023-11-14T22:13:20Z

}  // namespace

TEST_CASE("capture file order: each file once") {
  CHECK(check_each_capture_once({"a.pcap", "b.pcap"}, {"/c/a.pcap", "/c/b.pcap"}).ok());
  // A path that could not be resolved is left to the open that follows.
  CHECK(check_each_capture_once({"a.pcap", "a.pcap"}, {"", ""}).ok());

  const auto twice = check_each_capture_once({"a.pcap", "b.pcap", "a.pcap"}, {"/c/a.pcap", "/c/b.pcap", "/c/a.pcap"});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message ==
        "a.pcap is given twice, as capture files 1 and 3: the files are read as one capture, so give each once, in "
        "capture order");

  // Two names of one file (a symbolic link, ./x): both are named.
  const auto aliased = check_each_capture_once({"ring/a.pcap", "latest.pcap"}, {"/c/ring/a.pcap", "/c/ring/a.pcap"});
  REQUIRE_FALSE(aliased.ok());
  CHECK_THAT(aliased.error().message,
             Catch::StartsWith("latest.pcap is given twice (the same file as ring/a.pcap), as capture files 1 and 2"));
}

TEST_CASE("capture file order: a file that starts before the one read before it ends") {
  const auto hour1 = file("hour1.pcapng", 10, kStart, kStart + 3600 * kSecond);
  const auto hour2 = file("hour2.pcapng", 10, kStart + 3600 * kSecond, kStart + 7200 * kSecond);
  CHECK_FALSE(capture_order_warning(hour1, hour2));

  const auto backwards = capture_order_warning(hour2, hour1);
  REQUIRE(backwards);
  CHECK(*backwards ==
        "hour1.pcapng: its first packet (2023-11-14T22:13:20.000000000Z) is 2 h 0 min older than the last packet of "
        "hour2.pcapng (2023-11-15T00:13:20.000000000Z), read before it: the files are read as one capture in the "
        "order given, so a connection that goes on from one to the other cannot be followed; give the files in "
        "capture order (a tlsring ring: sorted by name), unless the capturing host's clock was set back");

  // Up to the tolerance, files may overlap (packets of several interfaces are
  // not written in strict time order); past it, they may not.
  const auto ends = file("a.pcap", 1, kStart, kStart + 10 * kSecond);
  CHECK_FALSE(capture_order_warning(ends, file("b.pcap", 1, kStart + 9 * kSecond, kStart + 20 * kSecond)));
  const auto overlap = capture_order_warning(ends, file("b.pcap", 1, kStart + 8 * kSecond, kStart + 20 * kSecond));
  REQUIRE(overlap);
  CHECK_THAT(*overlap, Catch::StartsWith("b.pcap: its first packet (2023-11-14T22:13:28.000000000Z) is 2 s older"));

  // Against the files read before: the last of them with packets.
  const auto empty = file("empty.pcap", 0, 0, 0);
  CHECK_FALSE(capture_order_warning(std::vector{hour1, empty}, hour2));
  const auto after_empty = capture_order_warning(std::vector{hour2, empty}, hour1);
  REQUIRE(after_empty);
  CHECK(*after_empty == *backwards);
  CHECK_FALSE(capture_order_warning(std::vector<decrypt::FileSummary>{}, hour1));
  CHECK_FALSE(capture_order_warning(std::vector{empty}, hour1));

  // A file without packets has no time to compare.
  CHECK_FALSE(capture_order_warning(hour2, file("empty.pcap", 0, 0, 0)));
  CHECK_FALSE(capture_order_warning(file("empty.pcap", 0, 0, 0), hour1));
}
