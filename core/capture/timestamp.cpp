#include "core/capture/timestamp.h"

#include <chrono>
#include <cstdio>
#include <limits>

namespace tlsring::capture {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

constexpr std::uint64_t kPow10[] = {
    1ULL, 10ULL, 100ULL, 1'000ULL, 10'000ULL, 100'000ULL, 1'000'000ULL, 10'000'000ULL,
    100'000'000ULL, 1'000'000'000ULL, 10'000'000'000ULL, 100'000'000'000ULL,
    1'000'000'000'000ULL, 10'000'000'000'000ULL, 100'000'000'000'000ULL,
    1'000'000'000'000'000ULL, 10'000'000'000'000'000ULL, 100'000'000'000'000'000ULL,
    1'000'000'000'000'000'000ULL, 10'000'000'000'000'000'000ULL};
constexpr unsigned kMaxPow10 = 19;

constexpr std::uint64_t kUMax = std::numeric_limits<std::uint64_t>::max();

// out = a * b; true when the product leaves the uint64 range.
bool mul_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (a != 0 && b > kUMax / a) return true;
  out = a * b;
  return false;
}

// out = a + b; true when the sum leaves the uint64 range.
bool add_overflows(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (b > kUMax - a) return true;
  out = a + b;
  return false;
}

std::int64_t clamp_to_int64(std::uint64_t ns) {
  return ns > static_cast<std::uint64_t>(kMax) ? kMax : static_cast<std::int64_t>(ns);
}

// ns + seconds * 10^9, clamped; ns is never negative here.
std::int64_t add_seconds(std::int64_t ns, std::int64_t seconds) {
  constexpr std::int64_t kLimitSeconds = kMax / static_cast<std::int64_t>(kNsPerSecond);
  if (seconds > kLimitSeconds) return kMax;
  if (seconds < -kLimitSeconds) return kMin;
  const std::int64_t offset_ns = seconds * static_cast<std::int64_t>(kNsPerSecond);
  if (offset_ns > 0 && ns > kMax - offset_ns) return kMax;
  return ns + offset_ns;  // ns >= 0 and offset_ns >= -kMax: cannot go below kMin
}

// ticks of 10^-exponent seconds in nanoseconds.
std::uint64_t decimal_ticks_to_ns(std::uint64_t ticks, unsigned exponent, bool& saturated) {
  std::uint64_t ns = 0;
  if (exponent <= 9) {
    saturated = mul_overflows(ticks, kPow10[9 - exponent], ns);
    return ns;
  }
  const unsigned divisor_exponent = exponent - 9;
  if (divisor_exponent > kMaxPow10) return 0;  // any uint64 tick count is below 1 ns
  return ticks / kPow10[divisor_exponent];
}

// ticks of 2^-exponent seconds in nanoseconds: whole seconds and the fraction
// separately, so that neither product can overflow.
std::uint64_t binary_ticks_to_ns(std::uint64_t ticks, unsigned exponent, bool& saturated) {
  if (exponent == 0) {
    std::uint64_t ns = 0;
    saturated = mul_overflows(ticks, kNsPerSecond, ns);
    return ns;
  }
  if (exponent >= 64) {
    // Fewer than one whole second; keep the top 34 bits of the fraction.
    const unsigned drop = exponent - 34;
    if (drop >= 64) return 0;
    return ((ticks >> drop) * kNsPerSecond) >> 34;
  }
  const std::uint64_t seconds = ticks >> exponent;
  const std::uint64_t fraction = ticks & ((std::uint64_t{1} << exponent) - 1);
  std::uint64_t fraction_ns = 0;
  if (exponent <= 34) {
    fraction_ns = (fraction * kNsPerSecond) >> exponent;  // fraction < 2^34, product < 2^64
  } else {
    fraction_ns = ((fraction >> (exponent - 34)) * kNsPerSecond) >> 34;
  }
  std::uint64_t seconds_ns = 0;
  std::uint64_t ns = 0;
  saturated = mul_overflows(seconds, kNsPerSecond, seconds_ns) ||
              add_overflows(seconds_ns, fraction_ns, ns);
  return ns;
}

}  // namespace

std::int64_t ticks_to_ns(std::uint64_t ticks, TimestampUnit unit, std::int64_t offset_seconds) {
  bool saturated = false;
  const std::uint64_t ns = unit.power_of_two ? binary_ticks_to_ns(ticks, unit.exponent, saturated)
                                             : decimal_ticks_to_ns(ticks, unit.exponent, saturated);
  const std::int64_t base = saturated ? kMax : clamp_to_int64(ns);
  return offset_seconds == 0 ? base : add_seconds(base, offset_seconds);
}

std::int64_t seconds_to_ns(std::uint64_t seconds, std::uint64_t fraction, std::uint32_t fraction_to_ns) {
  std::uint64_t seconds_ns = 0;
  std::uint64_t fraction_ns = 0;
  std::uint64_t sum = 0;
  if (mul_overflows(seconds, kNsPerSecond, seconds_ns) ||
      mul_overflows(fraction, fraction_to_ns, fraction_ns) ||
      add_overflows(seconds_ns, fraction_ns, sum)) {
    return kMax;
  }
  return clamp_to_int64(sum);
}

std::string utc_second_text(std::int64_t time_ns) {
  using namespace std::chrono;
  const sys_seconds time = floor<seconds>(sys_time<nanoseconds>(nanoseconds(time_ns)));
  const sys_days day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss clock(time - day);
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace tlsring::capture
