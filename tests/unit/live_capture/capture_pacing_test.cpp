// The capture thread's nap after a busy round: never after a quiet one, never
// so long that traffic at the fastest rate it allows for could fill more than
// half of the smallest kernel ring, and never longer than the stop delay it
// promises.
#include "daemon/capture/capture_pacing.h"

#include <catch2/catch.hpp>

#include <cstdint>

using tlsring::daemon::kBusyRoundBytes;
using tlsring::daemon::kFastestTrafficBytesPerSecond;
using tlsring::daemon::kLongestNap;
using tlsring::daemon::nap_after_round;

namespace {

constexpr std::uint64_t kMiB = 1u << 20;

// Bytes that arrive during `nap` at the fastest rate the policy allows for.
std::uint64_t bytes_at_fastest_rate(std::chrono::microseconds nap) {
  return static_cast<std::uint64_t>(nap.count()) * kFastestTrafficBytesPerSecond / 1'000'000;
}

}  // namespace

TEST_CASE("capture pacing: a quiet round is followed by waiting at once") {
  CHECK(nap_after_round(0, 16 * kMiB).count() == 0);
  CHECK(nap_after_round(kBusyRoundBytes - 1, 16 * kMiB).count() == 0);
  CHECK(nap_after_round(1500, 512 * kMiB).count() == 0);
}

TEST_CASE("capture pacing: a busy round with the default 16 MiB ring naps for the longest nap") {
  // 10 Gbit/s fills 8 MiB in 6.7 ms, more than the longest nap.
  CHECK(nap_after_round(kBusyRoundBytes, 16 * kMiB) == kLongestNap);
  CHECK(nap_after_round(100 * kMiB, 2048 * kMiB) == kLongestNap);
}

TEST_CASE("capture pacing: with a small ring the nap leaves half of it free at the fastest rate") {
  for (const std::uint64_t ring : {kMiB, 2 * kMiB, 4 * kMiB, 8 * kMiB}) {
    INFO("ring of " << ring << " bytes");
    const auto nap = nap_after_round(kBusyRoundBytes, ring);
    CHECK(nap.count() > 0);
    CHECK(nap < kLongestNap);
    CHECK(bytes_at_fastest_rate(nap) <= ring / 2);
    // ... and not much shorter than that bound: one microsecond more would pass it.
    CHECK(bytes_at_fastest_rate(nap + std::chrono::microseconds(1)) > ring / 2);
  }
}

TEST_CASE("capture pacing: a ring too small to fill safely in a microsecond gets no nap") {
  CHECK(nap_after_round(kBusyRoundBytes, 0).count() == 0);
  CHECK(nap_after_round(kBusyRoundBytes, 2000).count() == 0);
}
