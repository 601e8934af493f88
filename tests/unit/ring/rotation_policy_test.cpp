// Rotation and stop policy: tables of times written out by hand. Reference
// times (Python datetime, UTC): 2026-12-06T03:00:00Z = 1796526000 s,
// 03:30:00Z = 1796527800 s, 04:00:00Z = 1796529600 s.
#include <catch2/catch.hpp>

#include <limits>

#include "daemon/ring/rotation_policy.h"

using namespace tlsring::daemon;

namespace {
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kHour = 3600 * kSec;
constexpr std::int64_t k0300 = 1796526000 * kSec;
constexpr std::int64_t k0330 = 1796527800 * kSec;
constexpr std::int64_t k0400 = 1796529600 * kSec;
}  // namespace

TEST_CASE("next_rotation_boundary: aligned to the clock, strictly after now") {
  struct Case {
    std::int64_t now;
    std::int64_t every;
    std::int64_t expected;
  };
  const Case cases[] = {
      // hourly: a file rotates at hh:00:00 UTC
      {k0330, kHour, k0400},
      {k0300, kHour, k0400},            // started exactly on a boundary: a whole hour
      {k0300 - 1, kHour, k0300},        // one ns before 03:00
      {k0300 + 1, kHour, k0400},
      {k0400 - 1, kHour, k0400},
      // 2 s: even seconds
      {k0330, 2 * kSec, k0330 + 2 * kSec},
      {k0330 + 1 * kSec, 2 * kSec, k0330 + 2 * kSec},
      {k0330 + 1500 * kMs, 2 * kSec, k0330 + 2 * kSec},
      {k0330 + 2 * kSec, 2 * kSec, k0330 + 4 * kSec},
      // 5 s: :00, :05, :10 ...
      {k0330, 5 * kSec, k0330 + 5 * kSec},
      {k0330 + 7300 * kMs, 5 * kSec, k0330 + 10 * kSec},
      {k0330 + 4999 * kMs, 5 * kSec, k0330 + 5 * kSec},
      {k0330 + 55 * kSec, 5 * kSec, k0330 + 60 * kSec},
      // the epoch and before it
      {0, kHour, kHour},
      {-1, kHour, 0},
      {-kHour, kHour, 0},
      {-kHour - 1, kHour, -kHour},
      // off
      {k0330, 0, kNoBoundary},
      {k0330, -5, kNoBoundary},
      // near the end of int64 time
      {kNoBoundary - 1, kHour, kNoBoundary},
      {std::numeric_limits<std::int64_t>::min(), kHour,
       std::numeric_limits<std::int64_t>::min() / kHour * kHour},
  };
  for (const Case& c : cases) {
    INFO("now=" << c.now << " every=" << c.every);
    CHECK(next_rotation_boundary(c.now, c.every) == c.expected);
  }
}

TEST_CASE("rotation_due: interval, then size before a packet that would overflow") {
  const RotationPolicy hourly{kHour, std::nullopt};
  const RotationPolicy hourly_10k{kHour, 10'000};
  const RotationPolicy size_only{0, 10'000};
  struct Case {
    const char* what;
    RotationPolicy policy;
    FileState file;
    std::int64_t now;
    std::uint64_t incoming;
    RotateReason expected;
  };
  const FileState at_0330{k0330, k0400, 5'000, 10};
  const Case cases[] = {
      {"before the boundary", hourly, at_0330, k0400 - 1, 100, RotateReason::none},
      {"at the boundary", hourly, at_0330, k0400, 0, RotateReason::interval},
      {"after the boundary", hourly, at_0330, k0400 + kHour, 0, RotateReason::interval},
      {"no size limit, huge packet", hourly, at_0330, k0330, 1u << 30, RotateReason::none},
      {"fits exactly", hourly_10k, at_0330, k0330, 5'000, RotateReason::none},
      {"one byte over", hourly_10k, at_0330, k0330, 5'001, RotateReason::size},
      {"interval wins over size", hourly_10k, at_0330, k0400, 9'000, RotateReason::interval},
      {"timer tick, no packet", hourly_10k, {k0330, k0400, 10'500, 10}, k0330, 0, RotateReason::none},
      {"already over, next packet", hourly_10k, {k0330, k0400, 10'500, 10}, k0330, 1, RotateReason::size},
      {"empty file takes a big packet", hourly_10k, {k0330, k0400, 200, 0}, k0330, 50'000, RotateReason::none},
      {"one packet, then too big", hourly_10k, {k0330, k0400, 300, 1}, k0330, 9'701, RotateReason::size},
      {"size only, never interval", size_only, {k0330, kNoBoundary, 100, 1}, kNoBoundary, 10, RotateReason::none},
      {"size near uint64 max", RotationPolicy{0, ~std::uint64_t{0}}, {0, kNoBoundary, ~std::uint64_t{0} - 5, 1},
       0, 6, RotateReason::size},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    CHECK(rotation_due(c.policy, c.file, c.now, c.incoming) == c.expected);
  }
}

TEST_CASE("new_file_state: boundary of the file's interval") {
  const RotationPolicy two_seconds{2 * kSec, std::nullopt};
  const FileState state = new_file_state(two_seconds, k0330 + 3 * kSec);
  CHECK(state.start_ns == k0330 + 3 * kSec);
  CHECK(state.boundary_ns == k0330 + 4 * kSec);
  CHECK(state.size == 0);
  CHECK(state.packets == 0);
  CHECK(new_file_state(RotationPolicy{0, 5}, k0330).boundary_ns == kNoBoundary);
}

TEST_CASE("stop_deadline") {
  CHECK_FALSE(stop_deadline(k0330, std::nullopt));
  CHECK(stop_deadline(k0330, 4 * kHour) == k0330 + 4 * kHour);
  CHECK(stop_deadline(k0330, 0) == k0330);
  CHECK(stop_deadline(k0330, -5) == k0330);
  CHECK(stop_deadline(k0330, kNoBoundary) == kNoBoundary);  // saturates
  CHECK(std::string(rotate_reason_name(RotateReason::size)) == "size");
}

TEST_CASE("clock_step_ends_file: a step back of a tenth of the interval or more, and at least 1 s") {
  CHECK(clock_step_ends_file(-kHour, kHour));
  CHECK(clock_step_ends_file(-6 * 60 * kSec, kHour));            // a tenth
  CHECK_FALSE(clock_step_ends_file(-6 * 60 * kSec + 1, kHour));  // less
  CHECK_FALSE(clock_step_ends_file(kHour, kHour));                  // forward: the boundary comes early by itself
  CHECK_FALSE(clock_step_ends_file(0, kHour));
  // Short intervals: at least 1 s (the smallest step ClockSteps tells).
  CHECK(clock_step_ends_file(-kSec, 2 * kSec));
  CHECK_FALSE(clock_step_ends_file(-kSec + 1, 2 * kSec));
  // No interval rotation: nothing to keep to. The most negative step is no overflow.
  CHECK_FALSE(clock_step_ends_file(-kHour, 0));
  CHECK(clock_step_ends_file(std::numeric_limits<std::int64_t>::min(), kHour));
}
