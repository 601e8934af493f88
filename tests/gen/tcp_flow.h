// TCP for a TLS connection: the 3-way handshake, the TLS chunks cut into
// MSS-sized segments with correct sequence and acknowledgment numbers, delayed
// ACKs, and the FIN/FIN-ACK/ACK close, each segment stamped by a deterministic
// clock. Segments refer to the wire bytes by offset; no payload is copied.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/gen/tls_connection.h"

namespace tlsring::testgen {

namespace tcp_flags {
constexpr std::uint8_t kFin = 0x01;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kRst = 0x04;
constexpr std::uint8_t kPsh = 0x08;
constexpr std::uint8_t kAck = 0x10;
}  // namespace tcp_flags

// Times as seen at the capture point, which sits next to the server.
struct TcpTiming {
  std::int64_t packet_gap_ns = 12'000;    // between segments sent back to back
  std::int64_t rtt_ns = 300'000;          // server -> client -> server
  std::int64_t server_step_ns = 60'000;   // the server answering a handshake flight
  std::int64_t reply_ns = 250'000;        // the server working on a request
  std::int64_t think_ns = 3'000'000;      // before the client sends a new request
  std::int64_t ack_delay_ns = 40'000;     // a receiver's delayed ACK
};

struct TcpFlowConfig {
  std::uint32_t client_isn = 1000;
  std::uint32_t server_isn = 5000;
  std::uint16_t mss = 1460;          // payload bytes per segment
  std::uint16_t window = 64240;
  bool handshake = true;             // SYN, SYN-ACK, ACK before the data
  bool close = true;                 // FIN-ACK, FIN-ACK, ACK after the data
  unsigned ack_every = 2;            // the receiver ACKs every this many full segments
  TcpTiming timing;
};

struct TcpSegment {
  Direction direction = Direction::client_to_server;
  std::uint8_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;          // valid when flags has kAck
  std::uint32_t payload_offset = 0;  // into TlsConnectionResult::wire[direction]
  std::uint32_t payload_length = 0;
  std::int64_t timestamp_ns = 0;
  bool mss_option = false;        // SYN and SYN-ACK carry the MSS option
  bool duplicate = false;         // a retransmission added by the impairments
};

// The segments of one connection, starting at `start_ns`, in time order.
std::vector<TcpSegment> build_tcp_flow(const TlsConnectionResult& tls, const TcpFlowConfig& config,
                                       std::int64_t start_ns);

}  // namespace tlsring::testgen
