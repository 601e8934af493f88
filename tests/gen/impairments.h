// Network impairments as a capture point sees them, applied to one
// connection's segments: reordering, retransmissions (duplicates), loss, and
// a capture that starts late (the first N segments missing). The segments that
// remain are unchanged, so ACKs still cover bytes the capture lost, as on a
// real network where only the capture missed them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "tests/gen/rng.h"
#include "tests/gen/tcp_flow.h"

namespace tlsring::testgen {

struct Impairments {
  double reorder = 0;          // chance that a segment swaps place with the next one of its direction
  double retransmit = 0;       // chance that a data segment appears again, one segment later
  double drop = 0;             // chance that a segment is missing from the capture
  std::size_t drop_first = 0;  // the connection's first N segments are not captured

  bool any() const { return reorder > 0 || retransmit > 0 || drop > 0 || drop_first > 0; }
};

struct ImpairmentStats {
  std::size_t dropped = 0;      // segments removed (drop_first included)
  std::size_t duplicated = 0;   // retransmissions added
  std::size_t reordered = 0;    // adjacent swaps
  std::array<std::uint64_t, 2> lost_bytes{0, 0};  // payload bytes of no captured segment, per Direction
  bool syn_captured = true;
};

// Applies `impairments` in this order: late start, retransmissions, reordering,
// loss. Timestamps stay in increasing order: reordered segments trade
// timestamps, a retransmission gets one between its neighbours.
ImpairmentStats apply_impairments(std::vector<TcpSegment>& segments, const Impairments& impairments,
                                  Rng& rng);

}  // namespace tlsring::testgen
