// LostInterfaces: an interface that is gone shows in the status text until it
// is back; then its outage has both times. One still gone at the stop ends
// there. An interface that keeps failing has its first outages told and the
// rest counted into one line.
#include <catch2/catch.hpp>

#include "daemon/service/lost_interfaces.h"

using namespace tlsring::daemon;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kBase = 1'765'000'000 * kSecond;  // 2025-12-06T05:46:40Z
}  // namespace

TEST_CASE("lost interfaces: gone until back and the outage has both times") {
  LostInterfaces lost;
  CHECK(lost.status_text("2s").empty());
  CHECK_FALSE(lost.back("eth1", kBase).has_value());  // never lost

  CHECK(lost.lost("eth1", kBase, "capture on \"eth1\" failed: The interface disappeared"));
  const std::string status = lost.status_text("2s");
  CHECK(status == "capture on \"eth1\" stopped at 2025-12-06T05:46:40.000000000Z: capture on \"eth1\" failed: "
                  "The interface disappeared (tried again every 2s)");
  CHECK(lost.names() == "eth1");

  const auto ended = lost.back("eth1", kBase + 9 * kSecond);
  REQUIRE(ended.has_value());
  CHECK(ended->told);
  CHECK(ended->outage.interface_name == "eth1");
  CHECK(ended->outage.start_ns == kBase);
  CHECK(ended->outage.end_ns == kBase + 9 * kSecond);
  CHECK_FALSE(ended->outage.until_stop);
  CHECK(lost.status_text("2s").empty());
  CHECK(lost.names().empty());
  const auto at_stop = lost.end_at_stop(kBase + 20 * kSecond);
  CHECK(at_stop.still_gone.empty());
  CHECK(at_stop.untold.empty());
}

TEST_CASE("lost interfaces: those still gone at the stop end there") {
  LostInterfaces lost;
  lost.lost("eth1", kBase, "gone");
  lost.lost("eth2", kBase + kSecond, "gone too");
  CHECK(lost.names() == "eth1, eth2");
  const auto at_stop = lost.end_at_stop(kBase + 30 * kSecond);
  REQUIRE(at_stop.still_gone.size() == 2);
  for (const InterfaceOutage& outage : at_stop.still_gone) {
    CHECK(outage.until_stop);
    CHECK(outage.end_ns == kBase + 30 * kSecond);
  }
  CHECK(at_stop.still_gone[1].interface_name == "eth2");
  CHECK(at_stop.still_gone[1].start_ns == kBase + kSecond);
  CHECK(lost.status_text("2s").empty());
}

TEST_CASE("lost interfaces: past the first outages of an interface the rest are counted into one line") {
  LostInterfaces lost;
  const std::size_t outages = LostInterfaces::kToldOutages + 25;
  std::size_t told = 0;
  for (std::size_t i = 0; i < outages; ++i) {
    const std::int64_t start = kBase + static_cast<std::int64_t>(i) * 10 * kSecond;
    const bool tell = lost.lost("eth1", start, "gone");
    CHECK(lost.telling("eth1") == tell);
    const auto ended = lost.back("eth1", start + 3 * kSecond);
    REQUIRE(ended.has_value());
    CHECK(ended->told == tell);
    told += tell ? 1 : 0;
    if (i + 1 == LostInterfaces::kToldOutages) CHECK(lost.told_all("eth1"));
  }
  CHECK(told == LostInterfaces::kToldOutages);
  // One more, still gone at the stop: counted too.
  CHECK_FALSE(lost.lost("eth1", kBase + 1000 * kSecond, "gone"));
  const auto at_stop = lost.end_at_stop(kBase + 1004 * kSecond);
  CHECK(at_stop.still_gone.empty());
  REQUIRE(at_stop.untold.size() == 1);
  const UntoldOutages& untold = at_stop.untold[0];
  CHECK(untold.count == 26);
  CHECK(untold.total_ns == 26 * 3 * kSecond + kSecond);
  CHECK(untold.first_start_ns == kBase + static_cast<std::int64_t>(LostInterfaces::kToldOutages) * 10 * kSecond);
  CHECK(untold.last_end_ns == kBase + 1004 * kSecond);
  const std::string text = describe_untold_outages(untold);
  INFO(text);
  CHECK(text.find("interface \"eth1\" was gone 26 more time(s) between 2025-12-06T05:48:20Z and "
                  "2025-12-06T06:03:24Z, 1m19s in all") != std::string::npos);
  CHECK(text.find("capture on \"any\"") != std::string::npos);
}
