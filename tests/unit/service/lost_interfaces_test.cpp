// LostInterfaces: an interface that is gone shows in the status text until it
// is back; then its outage has both times. One still gone at the stop ends there.
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

  lost.lost("eth1", kBase, "capture on \"eth1\" failed: The interface disappeared");
  const std::string status = lost.status_text("2s");
  CHECK(status == "capture on \"eth1\" stopped at 2025-12-06T05:46:40.000000000Z: capture on \"eth1\" failed: "
                  "The interface disappeared (tried again every 2s)");

  const auto outage = lost.back("eth1", kBase + 9 * kSecond);
  REQUIRE(outage.has_value());
  CHECK(outage->interface_name == "eth1");
  CHECK(outage->start_ns == kBase);
  CHECK(outage->end_ns == kBase + 9 * kSecond);
  CHECK_FALSE(outage->until_stop);
  CHECK(lost.status_text("2s").empty());
  CHECK(lost.end_at_stop(kBase + 20 * kSecond).empty());
}

TEST_CASE("lost interfaces: those still gone at the stop end there") {
  LostInterfaces lost;
  lost.lost("eth1", kBase, "gone");
  lost.lost("eth2", kBase + kSecond, "gone too");
  const auto ended = lost.end_at_stop(kBase + 30 * kSecond);
  REQUIRE(ended.size() == 2);
  for (const InterfaceOutage& outage : ended) {
    CHECK(outage.until_stop);
    CHECK(outage.end_ns == kBase + 30 * kSecond);
  }
  CHECK(ended[1].interface_name == "eth2");
  CHECK(ended[1].start_ns == kBase + kSecond);
  CHECK(lost.status_text("2s").empty());
}
