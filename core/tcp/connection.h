// The tracker's record of one 4-tuple: the connection's identity, its handler,
// the two directions' sequence state, and its place in the recency list.
// Internal to core/tcp.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/tcp/connection_key.h"
#include "core/tcp/lru_list.h"
#include "core/tcp/stream_reassembler.h"
#include "core/tcp/tcp_tracker.h"

namespace tlsring::tcp {

// One direction: where its sequence space starts, and its bytes.
struct Direction {
  explicit Direction(std::uint64_t max_buffered_bytes) : stream(max_buffered_bytes) {}

  // Offset 0 is the byte after the SYN whose sequence number is `syn_seq`.
  void start_after_syn(std::uint32_t syn_seq) {
    started = true;
    isn_known = true;
    isn = syn_seq;
    base = syn_seq + 1;
  }
  // Offset 0 is the byte at `seq` (the SYN was not captured).
  void start_at(std::uint32_t seq) {
    started = true;
    base = seq;
  }

  bool started = false;    // `base` is set
  bool segment_seen = false;  // any segment from this side, data or not
  bool isn_known = false;  // this direction's SYN (or the ack of it) was seen: `isn` is set
  std::uint32_t isn = 0;
  std::uint32_t base = 0;  // the sequence number of stream offset 0
  StreamReassembler stream;
};

struct Connection : LruHook {
  explicit Connection(std::uint64_t max_buffered_bytes)
      : directions{Direction(max_buffered_bytes), Direction(max_buffered_bytes)} {}

  Direction& direction(Side side) { return directions[static_cast<std::size_t>(side)]; }
  Side side_of(const net::Endpoint& sender) const { return sender == info.endpoint[0] ? Side::first : Side::second; }

  ConnectionKey key;
  std::uint64_t hash = 0;  // ConnectionKeyHash of `key`
  ConnectionInfo info;
  std::unique_ptr<ConnectionHandler> handler;  // null when ignored or closed
  bool ignored = false;  // the factory declined it: segments are dropped
  bool closed = false;   // closed by FIN or RST; kept so late segments are dropped
  std::int64_t last_seen_ns = 0;
  std::array<Direction, 2> directions;
};

}  // namespace tlsring::tcp
