// FrameBuilder and the checksum against RFC 1071's example, a well-known IPv4
// header, and frames laid out by hand from RFC 791 / 8200 / 793 and IEEE 802.1Q.
#include <catch2/catch.hpp>
#include <vector>

#include "tests/gen/frame_builder.h"

using namespace tlsring::testgen;

namespace {

using ByteVec = std::vector<std::uint8_t>;

// RFC 1071 verification: summing the covered data including its checksum gives 0xffff.
bool verifies(const ByteVec& data, std::size_t begin, std::size_t end, std::uint32_t sum = 0) {
  for (std::size_t i = begin; i < end; i += 2) {
    sum += (std::uint32_t{data[i]} << 8) | (i + 1 < end ? data[i + 1] : 0);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

ByteVec zero_at(ByteVec v, std::size_t at) {
  v[at] = 0;
  v[at + 1] = 0;
  return v;
}

TcpEndpoint endpoint(const char* ip, std::uint16_t port) { return {*IpAddress::parse(ip), port}; }

}  // namespace

TEST_CASE("internet checksum: RFC 1071 section 3 example and a textbook IPv4 header") {
  // RFC 1071 3.: 0001 f203 f4f5 f6f7 sums to ddf2, whose complement is 220d.
  const ByteVec rfc = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(internet_checksum(rfc) == 0x220d);
  // 192.168.0.1 -> 192.168.0.199 UDP header with checksum field zeroed: b861.
  const ByteVec ipv4 = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                        0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK(internet_checksum(ipv4) == 0xb861);
  // Odd length: the last byte is padded with zero.
  CHECK(internet_checksum(ByteVec{0x01}) == static_cast<std::uint16_t>(~0x0100));
}

TEST_CASE("IPv4 SYN over Ethernet, laid out by hand") {
  FrameBuilder builder{FrameOptions{}};
  SegmentHeaders h;
  h.direction = Direction::client_to_server;
  h.seq = 0x01020304;
  h.flags = 0x02;
  h.mss_option = 1460;
  h.ip_id = 0x1234;
  ByteVec frame;
  builder.build(frame, endpoint("10.2.0.10", 49152), endpoint("10.1.0.1", 3000), h, {});
  const ByteVec expected = {
      // Ethernet: to the server's MAC, from the client's, IPv4
      0x02, 0x00, 0x5e, 0x10, 0x00, 0x02, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0x08, 0x00,
      // IPv4: 44 bytes, id 0x1234, DF, TTL 64, TCP, checksum zeroed here, 10.2.0.10 -> 10.1.0.1
      0x45, 0x00, 0x00, 0x2c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
      0x0a, 0x02, 0x00, 0x0a, 0x0a, 0x01, 0x00, 0x01,
      // TCP: 49152 -> 3000, seq, ack 0, 6 words, SYN, window 64240, checksum zeroed, MSS 1460
      0xc0, 0x00, 0x0b, 0xb8, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
      0x60, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
  REQUIRE(frame.size() == expected.size());
  CHECK(zero_at(zero_at(frame, 14 + 10), 34 + 16) == expected);
  CHECK(verifies(frame, 14, 34));
  // TCP pseudo-header: addresses, protocol 6, TCP length 24.
  std::uint32_t pseudo = 0x0a02 + 0x000a + 0x0a01 + 0x0001 + 6 + 24;
  CHECK(verifies(frame, 34, frame.size(), pseudo));
}

TEST_CASE("IPv6 data segment with an 802.1Q tag and an odd payload") {
  FrameOptions options;
  options.vlan = 42;
  FrameBuilder builder{options};
  SegmentHeaders h;
  h.direction = Direction::server_to_client;
  h.seq = 0xfffffff0;
  h.ack = 0x00000010;
  h.flags = 0x18;
  const ByteVec payload = {'h', 'i', '!'};
  ByteVec frame;
  builder.build(frame, endpoint("fd00:2::10", 49152), endpoint("fd00:1::1", 3000), h, payload);
  const ByteVec expected = {
      0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02,
      0x81, 0x00, 0x00, 0x2a,  // 802.1Q, VLAN 42
      0x86, 0xdd,
      0x60, 0x00, 0x00, 0x00, 0x00, 0x17, 0x06, 0x40,  // payload length 23, TCP, hop limit 64
      0xfd, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
      0xfd, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
      0x0b, 0xb8, 0xc0, 0x00, 0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10,
      0x50, 0x18, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00, 'h', 'i', '!'};
  REQUIRE(frame.size() == expected.size());
  CHECK(zero_at(frame, 58 + 16) == expected);
  std::uint32_t pseudo = 0xfd00 + 0x0001 + 0x0001 + 0xfd00 + 0x0002 + 0x0010 + 6 + 23;
  CHECK(verifies(frame, 58, frame.size(), pseudo));
}

TEST_CASE("cooked and loopback link headers") {
  SegmentHeaders in;
  in.direction = Direction::client_to_server;
  SegmentHeaders out = in;
  out.direction = Direction::server_to_client;
  const auto client = endpoint("10.2.0.10", 49152);
  const auto server = endpoint("10.1.0.1", 3000);
  ByteVec frame;

  FrameOptions sll;
  sll.link = LinkLayer::linux_sll;
  FrameBuilder{sll}.build(frame, client, server, in, {});
  CHECK(ByteVec(frame.begin(), frame.begin() + 16) ==
        ByteVec{0, 0, 0, 1, 0, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01, 0, 0, 0x08, 0x00});
  FrameBuilder{sll}.build(frame, client, server, out, {});
  CHECK(frame[1] == 4);  // LINUX_SLL_OUTGOING: sent by the capturing server
  CHECK(frame[16] == 0x45);

  FrameOptions sll2;
  sll2.link = LinkLayer::linux_sll2;
  FrameBuilder{sll2}.build(frame, client, server, out, {});
  CHECK(ByteVec(frame.begin(), frame.begin() + 20) ==
        ByteVec{0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02, 0, 0});

  FrameOptions null;
  null.link = LinkLayer::null;
  FrameBuilder{null}.build(frame, client, server, in, {});
  CHECK(ByteVec(frame.begin(), frame.begin() + 4) == ByteVec{2, 0, 0, 0});
  FrameBuilder{null}.build(frame, endpoint("fd00:2::10", 1), endpoint("fd00:1::1", 2), in, {});
  CHECK(ByteVec(frame.begin(), frame.begin() + 4) == ByteVec{24, 0, 0, 0});

  FrameOptions raw;
  raw.link = LinkLayer::raw;
  FrameBuilder{raw}.build(frame, client, server, in, {});
  CHECK(frame.size() == 40);
  CHECK(frame[0] == 0x45);

  CHECK(link_type_of(LinkLayer::ethernet) == 1);
  CHECK(link_type_of(LinkLayer::raw) == 101);
  CHECK(link_type_of(LinkLayer::linux_sll) == 113);
  CHECK(link_type_of(LinkLayer::linux_sll2) == 276);
  CHECK(link_type_of(LinkLayer::null) == 0);
}

TEST_CASE("IP addresses parse, print and count up") {
  CHECK(IpAddress::parse("10.2.0.255")->plus(1).to_string() == "10.2.1.0");
  CHECK(IpAddress::parse("10.2.0.10")->plus(300).to_string() == "10.2.1.54");
  CHECK(IpAddress::parse("fd00:2::ffff")->plus(2).to_string() == "fd00:2::1:1");
  CHECK_FALSE(IpAddress::parse("10.2.0").has_value());
  CHECK(IpAddress::parse("::1")->v6);
}
