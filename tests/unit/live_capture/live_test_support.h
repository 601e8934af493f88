// Helpers for the live capture tests: the root check, loopback traffic the
// test generates itself, and a decoder of the Ethernet/IPv4/TCP/UDP headers
// written here (independent of core/net) to check what was captured.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tlsring::testing {

// Skips the running test (exit 4, with the reason) unless it runs as root:
// live capture needs CAP_NET_RAW and CAP_NET_ADMIN.
void require_root();

// System clock now, nanoseconds since the Unix epoch.
std::int64_t wall_now_ns();

// Message i of a test conversation: `size` bytes of a pattern that depends on
// i and the position, so reordering or loss changes the concatenation.
std::string message_bytes(int i, std::size_t size);

// A TCP connection on 127.0.0.1 the test drives itself. open() binds a
// listener on a free port (so a filter can name it before any packet);
// connect() makes the handshake; send() writes from the client and reads
// the same bytes on the server before returning.
class LoopbackTcp {
 public:
  LoopbackTcp();
  ~LoopbackTcp();
  LoopbackTcp(const LoopbackTcp&) = delete;
  LoopbackTcp& operator=(const LoopbackTcp&) = delete;

  std::uint16_t port() const { return port_; }
  void connect();
  void send(const std::string& bytes);
  void close_client();

 private:
  int listener_ = -1;
  int client_ = -1;
  int server_ = -1;
  std::uint16_t port_ = 0;
};

// A UDP receiver bound on 127.0.0.1 and a sender towards it.
class LoopbackUdp {
 public:
  LoopbackUdp();
  ~LoopbackUdp();
  LoopbackUdp(const LoopbackUdp&) = delete;
  LoopbackUdp& operator=(const LoopbackUdp&) = delete;

  std::uint16_t port() const { return port_; }
  // Sends one datagram whose payload is the 4-byte big-endian `sequence`
  // followed by `extra` filler bytes.
  void send(std::uint32_t sequence, std::size_t extra = 0);

 private:
  int receiver_ = -1;
  int sender_ = -1;
  std::uint16_t port_ = 0;
};

struct DecodedPacket {
  std::uint8_t protocol = 0;  // 6 TCP, 17 UDP
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t tcp_flags = 0;  // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  std::uint32_t tcp_seq = 0;
  std::string payload;
};

// Decodes an IPv4 TCP or UDP packet behind an Ethernet header (LINKTYPE 1,
// `lo` on Linux); nullopt for anything else or a truncated packet.
std::optional<DecodedPacket> decode_ethernet_ipv4(std::span<const std::uint8_t> frame);

constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpAck = 0x10;

}  // namespace tlsring::testing
