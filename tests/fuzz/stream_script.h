// The input format of fuzz_tls_stream: one TCP connection as the calls
// tcp::TcpTracker makes on its ConnectionHandler, so that byte mutations turn
// into reorderings, gaps, cut records and interleavings of the two directions.
//
//   byte 0      flags: bit 0 syn_seen, bit 1 syn_ack_seen, bit 2 the parallel
//               engine's deferred resumption, bit 3 endpoint[0] is the server
//               port (the first sender is the server), bits 4-6 the close reason
//   then ops    one byte each: bit 0 the side (0 = endpoint[0]), bits 1-2 the
//               kind: 0 and 3 data, 1 gap, 2 FIN; data and gap are followed by a
//               2-byte big-endian length (a gap's times 4096 when bit 3 is set),
//               data then by its bytes (fewer when the input ends first).
//
// Each op is 1 ms after the previous one. Replay keeps TcpTracker's promises:
// offsets follow on from the previous data or gap of the side, nothing is
// delivered for a side after its FIN, and no data or gap is empty.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/tcp/tcp_tracker.h"

namespace tlsring::fuzz {

struct StreamScript {
  tcp::ConnectionInfo info;
  bool defer_resumption = false;
  tcp::CloseReason close_reason = tcp::CloseReason::fin;
  std::span<const std::uint8_t> ops;  // what follows byte 0
};

// Reads byte 0 (an empty input gives the defaults and no ops).
StreamScript read_stream_script(std::span<const std::uint8_t> input);

// Makes the calls of `script.ops` on `handler`; returns the timestamp of the
// last one. Does not close the connection.
std::int64_t replay_ops(const StreamScript& script, tcp::ConnectionHandler& handler);

// The writer's side, for seeds made from captures: a ConnectionHandler that
// records what it is given in this format.
class StreamScriptRecorder final : public tcp::ConnectionHandler {
 public:
  explicit StreamScriptRecorder(const tcp::ConnectionInfo& info);
  void on_data(tcp::Side from, std::span<const std::uint8_t> data, std::uint64_t offset,
               std::int64_t timestamp_ns) override;
  void on_gap(tcp::Side from, std::uint64_t offset, std::uint64_t length, std::int64_t timestamp_ns) override;
  void on_fin(tcp::Side from, std::int64_t timestamp_ns) override;
  void on_close(tcp::CloseReason reason, std::int64_t timestamp_ns) override;

  const std::vector<std::uint8_t>& bytes() const { return bytes_; }
  bool closed() const { return closed_; }

 private:
  std::vector<std::uint8_t> bytes_;
  bool closed_ = false;
};

}  // namespace tlsring::fuzz
