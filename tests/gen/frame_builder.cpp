#include "tests/gen/frame_builder.h"

#include <arpa/inet.h>

#include <cstring>

namespace tlsring::testgen {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint8_t kProtocolTcp = 6;

void put8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}
void put(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void set16(std::vector<std::uint8_t>& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}

std::uint64_t sum_words(std::span<const std::uint8_t> data) {
  std::uint64_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += (std::uint32_t{data[i]} << 8) | data[i + 1];
  if (i < data.size()) sum += std::uint32_t{data[i]} << 8;  // odd byte, zero-padded
  return sum;
}

void link_header(std::vector<std::uint8_t>& out, const FrameOptions& o, bool from_client, bool v6) {
  const std::uint16_t ethertype = v6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
  const auto& src_mac = from_client ? o.client_mac : o.server_mac;
  const auto& dst_mac = from_client ? o.server_mac : o.client_mac;
  // The capture runs on the server: client packets come in, server packets go out.
  const std::uint8_t packet_type = from_client ? 0 /* host */ : 4 /* outgoing */;
  switch (o.link) {
    case LinkLayer::ethernet:
      put(out, dst_mac);
      put(out, src_mac);
      if (o.vlan) {
        put16(out, kEtherTypeVlan);
        put16(out, static_cast<std::uint16_t>(*o.vlan & 0x0fff));  // PCP 0, DEI 0
      }
      put16(out, ethertype);
      return;
    case LinkLayer::linux_sll:
      put16(out, packet_type);
      put16(out, 1);  // ARPHRD_ETHER
      put16(out, 6);
      put(out, src_mac);
      put16(out, 0);  // address field is 8 bytes
      put16(out, ethertype);
      return;
    case LinkLayer::linux_sll2:
      put16(out, ethertype);
      put16(out, 0);  // reserved
      put32(out, 2);  // interface index
      put16(out, 1);  // ARPHRD_ETHER
      put8(out, packet_type);
      put8(out, 6);
      put(out, src_mac);
      put16(out, 0);
      return;
    case LinkLayer::null: {
      // Host byte order of the writing machine; little-endian here. 24 is
      // AF_INET6 on the BSDs, which every reader of DLT_NULL accepts.
      const std::uint32_t family = v6 ? 24 : 2;
      for (int i = 0; i < 4; ++i) put8(out, static_cast<std::uint8_t>(family >> (8 * i)));
      return;
    }
    case LinkLayer::raw:
      return;
  }
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string s(text);
  IpAddress address;
  if (inet_pton(AF_INET, s.c_str(), address.bytes.data()) == 1) return address;
  address.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

IpAddress IpAddress::plus(std::uint64_t n) const {
  IpAddress out = *this;
  for (std::size_t i = view().size(); i-- > 0 && n > 0;) {
    const std::uint64_t v = out.bytes[i] + (n & 0xff);
    out.bytes[i] = static_cast<std::uint8_t>(v);
    n = (n >> 8) + (v >> 8);
  }
  return out;
}

std::uint32_t link_type_of(LinkLayer link) {
  switch (link) {
    case LinkLayer::ethernet: return 1;
    case LinkLayer::raw: return 101;
    case LinkLayer::linux_sll: return 113;
    case LinkLayer::linux_sll2: return 276;
    case LinkLayer::null: return 0;
  }
  return 1;
}

std::string_view link_layer_name(LinkLayer link) {
  switch (link) {
    case LinkLayer::ethernet: return "ethernet";
    case LinkLayer::raw: return "raw";
    case LinkLayer::linux_sll: return "sll";
    case LinkLayer::linux_sll2: return "sll2";
    case LinkLayer::null: return "null";
  }
  return "ethernet";
}

std::optional<LinkLayer> parse_link_layer(std::string_view name) {
  if (name == "ethernet" || name == "eth") return LinkLayer::ethernet;
  if (name == "raw") return LinkLayer::raw;
  if (name == "sll" || name == "linux_sll") return LinkLayer::linux_sll;
  if (name == "sll2" || name == "linux_sll2") return LinkLayer::linux_sll2;
  if (name == "null" || name == "loopback") return LinkLayer::null;
  return std::nullopt;
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial) {
  std::uint64_t sum = initial + sum_words(data);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

void FrameBuilder::build(std::vector<std::uint8_t>& out, const TcpEndpoint& client,
                         const TcpEndpoint& server, const SegmentHeaders& h,
                         std::span<const std::uint8_t> payload) const {
  const bool from_client = h.direction == Direction::client_to_server;
  const TcpEndpoint& src = from_client ? client : server;
  const TcpEndpoint& dst = from_client ? server : client;
  const bool v6 = src.ip.v6;
  const std::size_t tcp_header = h.mss_option ? 24 : 20;
  const std::size_t tcp_length = tcp_header + payload.size();

  out.clear();
  out.reserve(64 + tcp_length);
  link_header(out, options_, from_client, v6);

  const std::size_t ip_start = out.size();
  if (!v6) {
    put8(out, 0x45);  // version 4, 5-word header
    put8(out, 0);
    put16(out, static_cast<std::uint16_t>(20 + tcp_length));
    put16(out, h.ip_id);
    put16(out, 0x4000);  // don't fragment
    put8(out, options_.ttl);
    put8(out, kProtocolTcp);
    put16(out, 0);  // checksum, below
    put(out, src.ip.view());
    put(out, dst.ip.view());
    set16(out, ip_start + 10, internet_checksum({out.data() + ip_start, 20}));
  } else {
    put32(out, 0x60000000);  // version 6, no traffic class, no flow label
    put16(out, static_cast<std::uint16_t>(tcp_length));
    put8(out, kProtocolTcp);
    put8(out, options_.ttl);
    put(out, src.ip.view());
    put(out, dst.ip.view());
  }

  const std::size_t tcp_start = out.size();
  put16(out, src.port);
  put16(out, dst.port);
  put32(out, h.seq);
  put32(out, h.ack);
  put8(out, static_cast<std::uint8_t>((tcp_header / 4) << 4));
  put8(out, h.flags);
  put16(out, h.window);
  put16(out, 0);  // checksum, below
  put16(out, 0);  // urgent pointer
  if (h.mss_option) {
    put8(out, 2);  // kind MSS
    put8(out, 4);
    put16(out, *h.mss_option);
  }
  put(out, payload);

  // Pseudo-header (RFC 793 / RFC 8200 section 8.1), then the segment.
  std::uint64_t pseudo = sum_words(src.ip.view()) + sum_words(dst.ip.view()) + kProtocolTcp;
  pseudo += v6 ? (tcp_length >> 16) + (tcp_length & 0xffff) : tcp_length;
  while (pseudo >> 16) pseudo = (pseudo & 0xffff) + (pseudo >> 16);
  set16(out, tcp_start + 16,
        internet_checksum({out.data() + tcp_start, tcp_length}, static_cast<std::uint32_t>(pseudo)));
}

}  // namespace tlsring::testgen
