// ClockSteps: the system clock set forward or back between two readings is a
// step, told with what it read before and after; slewing and the readings'
// own spacing are not; past the first steps the rest are only counted.
#include <catch2/catch.hpp>

#include "daemon/service/clock_steps.h"

using namespace tlsring::daemon;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kHour = 3600 * kSecond;
constexpr std::int64_t kWall = 1'765'000'000 * kSecond;  // 2025-12-06T05:46:40Z
constexpr std::int64_t kSteady = 42 * kSecond;            // a monotonic clock's own origin
}  // namespace

TEST_CASE("clock steps: clocks that advance together are no step, even unevenly spaced or slewed") {
  ClockSteps steps({kWall, kSteady});
  CHECK_FALSE(steps.look({kWall + 2 * kSecond, kSteady + 2 * kSecond}));
  CHECK_FALSE(steps.look({kWall + 9 * kSecond, kSteady + 9 * kSecond}));  // a late reading
  // NTP slewing at its fastest, 0.5 ms per second, over a long gap; and 1 s exactly.
  CHECK_FALSE(steps.look({kWall + 1009 * kSecond + 500'000'000, kSteady + 1009 * kSecond}));
  CHECK_FALSE(steps.look({kWall + 1011 * kSecond + 500'000'000 + kSecond, kSteady + 1011 * kSecond}));
  CHECK(steps.untold() == 0);
}

TEST_CASE("clock steps: set forward then back, each told with the times before and after") {
  ClockSteps steps({kWall, kSteady});
  const auto forward = steps.look({kWall + 2 * kSecond + kHour, kSteady + 2 * kSecond});
  REQUIRE(forward);
  CHECK(forward->by_ns() == kHour);
  CHECK(forward->before_ns == kWall + 2 * kSecond);
  CHECK(forward->after_ns == kWall + 2 * kSecond + kHour);
  CHECK(forward->told);
  CHECK_FALSE(forward->last_told);
  CHECK(describe_clock_step(*forward) ==
        "the system clock was set forward by 1h at about 2025-12-06T05:46:42Z (it then read 2025-12-06T06:46:42Z): "
        "packet times, capture file names and rotation follow the system clock, so times in the capture files and "
        "transcripts jump ahead there; stop_after counts the time that really passed; what to do: keep the system "
        "clock synchronised (NTP) from before the capture starts");
  // The next reading goes on from the new time: no second step.
  CHECK_FALSE(steps.look({kWall + 4 * kSecond + kHour, kSteady + 4 * kSecond}));

  const auto back = steps.look({kWall + 6 * kSecond - 90 * kSecond, kSteady + 6 * kSecond});
  REQUIRE(back);
  CHECK(back->by_ns() == -kHour - 90 * kSecond);
  CHECK(back->before_ns == kWall + 6 * kSecond + kHour);
  CHECK(describe_clock_step(*back).starts_with(
      "the system clock was set back by 1h1m30s at about 2025-12-06T06:46:46Z (it then read 2025-12-06T05:45:16Z): "));
  CHECK(describe_clock_step(*back).find("go back and repeat there") != std::string::npos);
}

TEST_CASE("clock steps: a step of a little more than the tolerance counts, rounded to the second") {
  ClockSteps steps({kWall, kSteady});
  const auto small = steps.look({kWall + 2 * kSecond - kSecond - 1, kSteady + 2 * kSecond});
  REQUIRE(small);
  CHECK(small->by_ns() == -kSecond - 1);
  CHECK(describe_clock_step(*small).starts_with("the system clock was set back by 1s at about "));
}

TEST_CASE("clock steps: past the first steps the rest are only counted") {
  ClockSteps steps({kWall, kSteady});
  std::int64_t wall = kWall;
  std::int64_t steady = kSteady;
  std::size_t told = 0;
  std::size_t last_told_at = 0;
  for (std::size_t i = 1; i <= ClockSteps::kToldOneByOne + 7; ++i) {
    steady += 2 * kSecond;
    wall += 2 * kSecond + (i % 2 == 1 ? 5 * kSecond : -5 * kSecond);
    const auto step = steps.look({wall, steady});
    REQUIRE(step);
    if (step->told) ++told;
    if (step->last_told) last_told_at = i;
  }
  CHECK(told == ClockSteps::kToldOneByOne);
  CHECK(last_told_at == ClockSteps::kToldOneByOne);
  CHECK(steps.untold() == 7);
  CHECK(describe_untold_clock_steps(steps.untold()) ==
        "the system clock was set 7 more time(s) (each is in the log, at debug level); what to do: keep the system "
        "clock synchronised (NTP) from before the capture starts");
}
