// TcpTracker: the connection table. Feed it decoded TCP segments in capture
// order (across several capture files: it is one continuous capture); it hands
// each connection's bytes, per direction, in stream order to a ConnectionHandler.
//
// Contract:
//  - Sequence numbers become 64-bit stream offsets at the edge (they may wrap).
//  - Data is delivered in order exactly once. Retransmissions and overlaps are
//    dropped (the first copy seen wins). Out-of-order segments, even far ahead of
//    a hole, are held until the hole fills.
//  - A hole that will not fill becomes on_gap(), and delivery goes on after it:
//    when the peer acknowledged bytes past the hole while later data waits
//    (the capture missed them), when the buffered bytes of a direction exceed
//    Options::max_buffered_bytes, and at close/finish.
//  - A connection whose SYN was not captured (open before the capture started)
//    starts at the first segment seen; ConnectionInfo::syn_seen says so.
//  - A SYN on a 4-tuple whose connection closed (FIN both ways or RST) or whose
//    sequence space it does not fit starts a new connection.
//  - Memory is bounded: per direction by max_buffered_bytes, connections by
//    max_connections (the least recently active one is closed to make room) and
//    idle_timeout (time comes from the segments, never from a clock).
//  - No heap allocation per in-order segment: in-order payload is handed on
//    as a view into the caller's frame.
//  - A handler that will never want a direction's bytes again says so
//    (wants_bytes()): that direction is then no longer reassembled. Its held
//    bytes are dropped, later bytes are only counted (on_bytes_skipped() at
//    close), and its FIN is reported as soon as it is seen, after the ranges
//    never seen before it (bytes are not held, but a late segment still fills
//    a hole) as gaps.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "core/net/packet_decoder.h"

namespace tlsring::tcp {

// Which endpoint sent the bytes: endpoint[0] or endpoint[1] of the ConnectionInfo.
enum class Side : std::uint8_t { first = 0, second = 1 };
inline Side other(Side s) { return s == Side::first ? Side::second : Side::first; }

struct ConnectionInfo {
  std::uint64_t id = 0;              // 0, 1, 2 ... in order of first appearance (like tcp.stream)
  net::Endpoint endpoint[2];         // [0] sent the SYN when syn_seen; else the first packet's sender
  bool syn_seen = false;             // the three-way handshake's SYN was captured
  bool syn_ack_seen = false;         // the SYN/ACK (from endpoint[1]) was captured
  std::int64_t first_seen_ns = 0;
  std::uint64_t first_packet = 0;    // the packet number passed to add() with its first segment
};

enum class CloseReason {
  fin,              // both sides sent FIN (or one FIN and the capture ended)
  rst,              // a RST was seen
  idle_timeout,     // no segment for Options::idle_timeout_ns
  evicted,          // max_connections reached and this was the least recently active
  end_of_capture,   // finish() was called with the connection still open
  reused,           // a new SYN on the same 4-tuple started another connection
};

const char* to_string(CloseReason reason);

// Receives one connection's events. The tracker owns it and destroys it right after on_close().
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // `data` are the bytes at stream offset `offset` of the direction `from`
  // (offset 0 is the first byte after the SYN, or the first byte seen). The
  // view is valid during the call only. `timestamp_ns` is the capture time of
  // the segment that completed them.
  virtual void on_data(Side from, std::span<const std::uint8_t> data, std::uint64_t offset,
                       std::int64_t timestamp_ns) = 0;
  // `length` bytes at `offset` of direction `from` were not captured and never will be.
  virtual void on_gap(Side from, std::uint64_t offset, std::uint64_t length, std::int64_t timestamp_ns) = 0;
  // A FIN from `from` (after all its data was delivered).
  virtual void on_fin(Side from, std::int64_t timestamp_ns) = 0;
  virtual void on_close(CloseReason reason, std::int64_t timestamp_ns) = 0;

  // Asked after each segment of `from` carrying bytes: false once the handler
  // will never want bytes of `from` again (it knows it cannot decrypt them).
  // The answer must not turn back to true.
  virtual bool wants_bytes(Side /*from*/) const { return true; }
  // Right before on_close(), for a direction no longer reassembled: its stream
  // went on for `bytes` more bytes (holes included), the last of them seen at
  // `last_timestamp_ns`.
  virtual void on_bytes_skipped(Side /*from*/, std::uint64_t /*bytes*/, std::int64_t /*last_timestamp_ns*/) {}
  // A segment of `from` whose payload the capture's snap length cut short,
  // before its captured bytes are added: the rest of it comes as a gap.
  virtual void on_segment_cut_short(Side /*from*/) {}
  // Right before on_close(): not one segment from `from` was captured, not
  // even an acknowledgement (a capture of one direction only).
  virtual void on_direction_not_captured(Side /*from*/) {}
};

class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  // Called for each new connection, before its first on_data(). May return
  // nullptr to ignore the connection (its segments are then dropped cheaply).
  virtual std::unique_ptr<ConnectionHandler> open(const ConnectionInfo& info) = 0;
};

struct TrackerStats {
  std::uint64_t segments = 0;
  std::uint64_t connections = 0;
  std::uint64_t retransmitted_bytes = 0;  // dropped as already delivered or already buffered
  std::uint64_t out_of_order_segments = 0;
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t buffered_bytes = 0;       // currently held out of order, all connections
  std::uint64_t evicted_connections = 0;
  std::uint64_t skipped_bytes = 0;        // passed over, not reassembled: the handler did not want them
};

class TcpTracker {
 public:
  struct Options {
    std::uint64_t max_buffered_bytes = 1 << 20;                 // per direction
    std::size_t max_connections = 65536;
    std::int64_t idle_timeout_ns = std::int64_t{6} * 3600 * 1000000000;  // CTI links idle for long
    // A closed connection's entry stays this long to drop its late segments
    // (retransmitted FINs, ACKs), then goes, so memory follows open connections.
    std::int64_t closed_linger_ns = std::int64_t{120} * 1000000000;
  };

  TcpTracker(ConnectionFactory& factory, Options options);
  explicit TcpTracker(ConnectionFactory& factory);
  ~TcpTracker();
  TcpTracker(const TcpTracker&) = delete;
  TcpTracker& operator=(const TcpTracker&) = delete;

  // `packet_number` identifies the packet to the caller (e.g. its frame number
  // across the capture files); it becomes ConnectionInfo::first_packet.
  void add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number = 0);
  // The same, for a caller that has hashed the segment's connection already:
  // `key_hash` is ConnectionKeyHash of make_connection_key(segment.src, segment.dst).
  void add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number,
           std::uint64_t key_hash);
  // The capture ended: flush every connection (holes become gaps) and close it with end_of_capture.
  void finish(std::int64_t timestamp_ns);

  const TrackerStats& stats() const;
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tlsring::tcp
