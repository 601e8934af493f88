// Builds link, IP and TCP headers byte by byte, as RFC 791, RFC 8200 and
// RFC 9293 (and the Ethernet, SLL and BSD loopback formats) lay them out.
#pragma once

#include <cstdint>
#include <vector>

namespace tlsring::test {

using Frame = std::vector<std::uint8_t>;

inline void put16(Frame& f, std::uint16_t v) {
  f.push_back(static_cast<std::uint8_t>(v >> 8));
  f.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Frame& f, std::uint32_t v) {
  put16(f, static_cast<std::uint16_t>(v >> 16));
  put16(f, static_cast<std::uint16_t>(v));
}
inline Frame operator+(Frame a, const Frame& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct TcpFields {
  std::uint16_t src_port = 50000;
  std::uint16_t dst_port = 3000;
  std::uint32_t seq = 0x11223344;
  std::uint32_t ack = 0x55667788;
  std::uint8_t flags = 0x18;  // PSH, ACK
  std::uint16_t window = 0xfaf0;
  std::size_t option_words = 0;  // 32-bit words of options (NOPs)
};

inline Frame tcp(const TcpFields& t, const Frame& payload) {
  Frame f;
  put16(f, t.src_port);
  put16(f, t.dst_port);
  put32(f, t.seq);
  put32(f, t.ack);
  f.push_back(static_cast<std::uint8_t>((5 + t.option_words) << 4));
  f.push_back(t.flags);
  put16(f, t.window);
  put16(f, 0);  // checksum
  put16(f, 0);  // urgent pointer
  for (std::size_t i = 0; i < t.option_words * 4; ++i) f.push_back(0x01);  // NOP
  return f + payload;
}

struct Ipv4Fields {
  std::uint8_t src[4] = {192, 0, 2, 1};
  std::uint8_t dst[4] = {198, 51, 100, 7};
  std::uint8_t protocol = 6;
  std::uint16_t flags_fragment = 0x4000;  // DF
  std::size_t option_words = 0;
  int total_length = -1;  // -1: the real length
};

inline Frame ipv4(const Ipv4Fields& ip, const Frame& payload) {
  Frame f;
  const std::size_t header = 20 + 4 * ip.option_words;
  f.push_back(static_cast<std::uint8_t>(0x40 | (header / 4)));
  f.push_back(0);
  put16(f, static_cast<std::uint16_t>(ip.total_length >= 0 ? static_cast<std::size_t>(ip.total_length)
                                                            : header + payload.size()));
  put16(f, 0x1234);  // id
  put16(f, ip.flags_fragment);
  f.push_back(64);
  f.push_back(ip.protocol);
  put16(f, 0);  // checksum
  f.insert(f.end(), ip.src, ip.src + 4);
  f.insert(f.end(), ip.dst, ip.dst + 4);
  for (std::size_t i = 0; i < ip.option_words * 4; ++i) f.push_back(0x01);  // NOP options
  return f + payload;
}

// IPv6 with `next` as the first next-header value; `payload` already holds
// any extension headers.
inline Frame ipv6(std::uint8_t next, const Frame& payload, int payload_length = -1) {
  Frame f{0x60, 0, 0, 0};
  put16(f, static_cast<std::uint16_t>(payload_length >= 0 ? payload_length : static_cast<int>(payload.size())));
  f.push_back(next);
  f.push_back(64);
  const Frame src{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
  const Frame dst{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};
  return f + src + dst + payload;
}

// A generic extension header (hop-by-hop, routing, destination options) of
// `units` + 1 eight-octet units.
inline Frame ext_header(std::uint8_t next, std::uint8_t units) {
  Frame f{next, units};
  f.resize(8 * (units + 1u), 0);
  return f;
}

inline Frame fragment_header(std::uint8_t next, std::uint16_t offset_units, bool more) {
  Frame f{next, 0};
  put16(f, static_cast<std::uint16_t>((offset_units << 3) | (more ? 1 : 0)));
  put32(f, 0xabcdef01);
  return f;
}

inline Frame ethernet(std::uint16_t type, const Frame& payload) {
  Frame f{0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
  put16(f, type);
  return f + payload;
}

inline Frame vlan_tag(std::uint16_t tci, std::uint16_t inner_type) {
  Frame f;
  put16(f, tci);
  put16(f, inner_type);
  return f;
}

}  // namespace tlsring::test
