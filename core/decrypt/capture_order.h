// CaptureOrder: where in the capture something happened. The session cache
// keeps where each session was learned, and a lookup sees only what was learned
// at or before its own place, so that what a connection finds does not depend
// on which worker thread got there first: it is what one thread reading the
// capture from start to end would have found.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace tlsring::decrypt {

struct CaptureOrder {
  static constexpr std::uint64_t kEndOfCapture = std::numeric_limits<std::uint64_t>::max();

  std::uint64_t packet = 0;   // the packet being read (1, 2, ...); kEndOfCapture once the capture ended
  std::uint64_t closing = 0;  // once it ended: the connection being closed (its id), as they close in id order

  // Before anything of this capture (sessions an earlier run learned), and after all of it.
  static constexpr CaptureOrder start() { return {}; }
  static constexpr CaptureOrder end() { return {kEndOfCapture, kEndOfCapture}; }
  friend constexpr auto operator<=>(const CaptureOrder&, const CaptureOrder&) = default;
};

// Where a worker's reading is: set before each packet it is handed, and when
// the capture ends (its open connections then close one by one, in id order).
struct CaptureClock {
  std::uint64_t packet = 0;
  bool ended = false;

  CaptureOrder now(std::uint64_t connection_id) const {
    return ended ? CaptureOrder{CaptureOrder::kEndOfCapture, connection_id} : CaptureOrder{packet, 0};
  }
};

}  // namespace tlsring::decrypt
