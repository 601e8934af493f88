#include "daemon/capture/capture_pacing.h"

#include <algorithm>

namespace tlsring::daemon {

std::chrono::microseconds nap_after_round(std::uint64_t round_bytes, std::uint64_t smallest_ring_bytes) {
  if (round_bytes < kBusyRoundBytes) return std::chrono::microseconds(0);
  // Microseconds for line-rate traffic to fill half the ring.
  const std::uint64_t half_ring_us = smallest_ring_bytes / 2 * 1'000'000 / kFastestTrafficBytesPerSecond;
  return std::chrono::microseconds(std::min<std::uint64_t>(half_ring_us, kLongestNap.count()));
}

}  // namespace tlsring::daemon
