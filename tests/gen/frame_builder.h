// FrameBuilder: turns a TCP segment into the bytes of a captured frame: link
// header (Ethernet with an optional 802.1Q tag, Linux cooked v1/v2, BSD
// loopback, or raw IP), IPv4 or IPv6 header with a correct header checksum, TCP
// header (MSS option on SYNs) with a correct checksum over the pseudo-header.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tests/gen/tcp_flow.h"

namespace tlsring::testgen {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4

  // Dotted quad or IPv6 text (inet_pton).
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  // This address plus `n` (carrying across bytes), for numbering clients.
  IpAddress plus(std::uint64_t n) const;
  std::span<const std::uint8_t> view() const { return {bytes.data(), v6 ? 16u : 4u}; }
};

struct TcpEndpoint {
  IpAddress ip;
  std::uint16_t port = 0;
};

enum class LinkLayer {
  ethernet,     // LINKTYPE_ETHERNET (1), optionally 802.1Q tagged
  raw,          // LINKTYPE_RAW (101)
  linux_sll,    // LINKTYPE_LINUX_SLL (113), captured on the server
  linux_sll2,   // LINKTYPE_LINUX_SLL2 (276)
  null,         // LINKTYPE_NULL (0), BSD loopback, little-endian family (2 / 24)
};

std::uint32_t link_type_of(LinkLayer link);
std::string_view link_layer_name(LinkLayer link);
// "ethernet", "raw", "sll", "sll2", "null" (and "linux_sll", "linux_sll2", "loopback").
std::optional<LinkLayer> parse_link_layer(std::string_view name);

struct FrameOptions {
  LinkLayer link = LinkLayer::ethernet;
  std::optional<std::uint16_t> vlan;  // 802.1Q VLAN id (Ethernet only)
  std::array<std::uint8_t, 6> client_mac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
  std::array<std::uint8_t, 6> server_mac{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
  std::uint8_t ttl = 64;
};

// The fields of one TCP segment's headers.
struct SegmentHeaders {
  Direction direction = Direction::client_to_server;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 64240;
  std::optional<std::uint16_t> mss_option;
  std::uint16_t ip_id = 0;  // IPv4 identification
};

class FrameBuilder {
 public:
  explicit FrameBuilder(FrameOptions options) : options_(options) {}

  // Replaces `out` with the frame of a segment between `client` and `server`
  // (both IPv4 or both IPv6) carrying `payload`.
  void build(std::vector<std::uint8_t>& out, const TcpEndpoint& client, const TcpEndpoint& server,
             const SegmentHeaders& headers, std::span<const std::uint8_t> payload) const;

  const FrameOptions& options() const { return options_; }

 private:
  FrameOptions options_;
};

// RFC 1071 Internet checksum of `data` added to `initial` (a partial sum).
std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial = 0);

}  // namespace tlsring::testgen
