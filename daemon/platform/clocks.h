// The clocks the daemon reads, in nanoseconds: where time is read rather than
// passed in (the composition root; everything below it takes times as
// arguments).
#pragma once

#include <chrono>
#include <cstdint>

namespace tlsring::platform {

// The system clock: ns since the Unix epoch (UTC). It can be set, by NTP or by hand.
inline std::int64_t system_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A monotonic clock from an arbitrary origin: for time that really passes.
inline std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace tlsring::platform
