// decode_tcp on frames built by hand (frame_builder.h), one link type and one
// header oddity at a time.
#include <catch2/catch.hpp>

#include "core/capture/capture_reader.h"
#include "core/net/packet_decoder.h"
#include "tests/unit/net/frame_builder.h"

using namespace tlsring;
using namespace tlsring::test;
using net::DecodeStatus;
using net::TcpSegment;

namespace {

const Frame kPayload{'h', 'e', 'l', 'l', 'o'};

Frame v4_tcp(const Frame& payload = kPayload) { return ipv4({}, tcp({}, payload)); }
Frame v6_tcp(const Frame& payload = kPayload) { return ipv6(6, tcp({}, payload)); }

// The segment's views point into the frame, and most frames here are
// temporaries: keep a copy alive until the next decode.
DecodeStatus decode(std::uint32_t link_type, const Frame& frame, TcpSegment& out) {
  static Frame kept;
  kept = frame;
  return net::decode_tcp(link_type, kept, out);
}

Frame payload_of(const TcpSegment& s) { return Frame(s.payload.begin(), s.payload.end()); }

void check_default_v4_segment(const TcpSegment& s) {
  CHECK(s.src.to_string() == "192.0.2.1:50000");
  CHECK(s.dst.to_string() == "198.51.100.7:3000");
  CHECK(s.seq == 0x11223344);
  CHECK(s.ack == 0x55667788);
  CHECK(s.flags == (net::kPsh | net::kAck));
  CHECK(s.window == 0xfaf0);
  CHECK(payload_of(s) == kPayload);
  CHECK_FALSE(s.payload_truncated);
}

}  // namespace

TEST_CASE("decode: Ethernet IPv4 TCP with every field") {
  TcpSegment s;
  REQUIRE(decode(capture::kLinkEthernet, ethernet(0x0800, v4_tcp()), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
}

TEST_CASE("decode: IPv4 and TCP options move the payload") {
  Ipv4Fields ip;
  ip.option_words = 3;
  TcpFields t;
  t.option_words = 5;
  t.flags = net::kSyn;
  TcpSegment s;
  REQUIRE(decode(capture::kLinkEthernet, ethernet(0x0800, ipv4(ip, tcp(t, kPayload))), s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
  CHECK(s.flags == net::kSyn);
}

TEST_CASE("decode: Ethernet padding never becomes payload") {
  // A bare ACK is 54 bytes; Ethernet pads it to 60 (without FCS).
  Frame ack = ethernet(0x0800, ipv4({}, tcp({}, {})));
  REQUIRE(ack.size() == 54);
  ack.resize(60, 0xee);
  TcpSegment s;
  REQUIRE(decode(capture::kLinkEthernet, ack, s) == DecodeStatus::tcp);
  CHECK(s.payload.empty());
  CHECK_FALSE(s.payload_truncated);

  Frame one = ethernet(0x0800, ipv4({}, tcp({}, {'x'})));
  one.resize(60, 0xee);
  REQUIRE(decode(capture::kLinkEthernet, one, s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == Frame{'x'});
}

TEST_CASE("decode: 802.1Q, 802.1ad and QinQ tags, stacked") {
  TcpSegment s;
  REQUIRE(decode(capture::kLinkEthernet, ethernet(0x8100, vlan_tag(100, 0x0800) + v4_tcp()), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkEthernet,
                 ethernet(0x88a8, vlan_tag(10, 0x8100) + vlan_tag(20, 0x0800) + v4_tcp()), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkEthernet,
                 ethernet(0x9100, vlan_tag(10, 0x8100) + vlan_tag(20, 0x86dd) + v6_tcp()), s) == DecodeStatus::tcp);
  CHECK(s.src.to_string() == "[2001:db8::1]:50000");
  CHECK(s.dst.to_string() == "[2001:db8::2]:3000");
  CHECK(payload_of(s) == kPayload);
  // A tag cut short, and an absurd stack of tags.
  CHECK(decode(capture::kLinkEthernet, ethernet(0x8100, {0x00, 0x64, 0x08}), s) == DecodeStatus::malformed);
  Frame tags;
  for (int i = 0; i < 12; ++i) tags = tags + vlan_tag(1, 0x8100);
  CHECK(decode(capture::kLinkEthernet, ethernet(0x8100, tags + vlan_tag(1, 0x0800) + v4_tcp()), s) ==
        DecodeStatus::malformed);
}

TEST_CASE("decode: 802.3 with LLC/SNAP, and frames that carry no TCP") {
  TcpSegment s;
  const Frame inner = Frame{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00} + v4_tcp();
  REQUIRE(decode(capture::kLinkEthernet, ethernet(static_cast<std::uint16_t>(inner.size()), inner), s) ==
          DecodeStatus::tcp);
  check_default_v4_segment(s);
  CHECK(decode(capture::kLinkEthernet, ethernet(3, {0x42, 0x42, 0x03}), s) == DecodeStatus::not_tcp);  // STP
  CHECK(decode(capture::kLinkEthernet, ethernet(0x0806, Frame(28, 0)), s) == DecodeStatus::not_tcp);   // ARP
  Ipv4Fields udp;
  udp.protocol = 17;
  CHECK(decode(capture::kLinkEthernet, ethernet(0x0800, ipv4(udp, Frame(12, 0))), s) == DecodeStatus::not_tcp);
  CHECK(decode(capture::kLinkEthernet, ethernet(0x86dd, ipv6(58, Frame(8, 0))), s) == DecodeStatus::not_tcp);
}

TEST_CASE("decode: Linux cooked SLL and SLL2") {
  // SLL: packet type 0 (to us), ARPHRD_ETHER 1, address length 6, 8 address bytes, protocol.
  Frame sll{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  put16(sll, 0x0800);
  TcpSegment s;
  REQUIRE(decode(capture::kLinkLinuxSll, sll + v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  // SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address bytes.
  Frame sll2;
  put16(sll2, 0x86dd);
  put16(sll2, 0);
  put32(sll2, 3);
  put16(sll2, 1);
  sll2.push_back(4);  // outgoing
  sll2.push_back(6);
  sll2.resize(20, 0);
  REQUIRE(decode(capture::kLinkLinuxSll2, sll2 + v6_tcp(), s) == DecodeStatus::tcp);
  CHECK(s.dst.to_string() == "[2001:db8::2]:3000");
  CHECK(payload_of(s) == kPayload);
  CHECK(decode(capture::kLinkLinuxSll, Frame(15, 0), s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkLinuxSll2, Frame(19, 0), s) == DecodeStatus::malformed);
}

TEST_CASE("decode: BSD NULL in both byte orders, and LOOP") {
  TcpSegment s;
  const Frame le_inet{2, 0, 0, 0};
  const Frame be_inet{0, 0, 0, 2};
  REQUIRE(decode(capture::kLinkNull, le_inet + v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkNull, be_inet + v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  for (std::uint8_t family : {24, 28, 30}) {  // AF_INET6 on NetBSD/OpenBSD, FreeBSD, Darwin
    INFO("family " << int{family});
    REQUIRE(decode(capture::kLinkNull, Frame{family, 0, 0, 0} + v6_tcp(), s) == DecodeStatus::tcp);
    CHECK(payload_of(s) == kPayload);
    REQUIRE(decode(capture::kLinkNull, Frame{0, 0, 0, family} + v6_tcp(), s) == DecodeStatus::tcp);
    CHECK(payload_of(s) == kPayload);
  }
  CHECK(decode(capture::kLinkNull, Frame{7, 0, 0, 0} + v4_tcp(), s) == DecodeStatus::not_tcp);
  CHECK(decode(capture::kLinkNull, Frame{2, 0, 0}, s) == DecodeStatus::malformed);
  REQUIRE(decode(capture::kLinkLoop, be_inet + v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkLoop, Frame{0, 0, 0, 24} + v6_tcp(), s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
}

TEST_CASE("decode: raw IP link types") {
  TcpSegment s;
  REQUIRE(decode(capture::kLinkRaw, v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkRaw, v6_tcp(), s) == DecodeStatus::tcp);
  CHECK(s.src.ip.version == 6);
  REQUIRE(decode(capture::kLinkIpv4, v4_tcp(), s) == DecodeStatus::tcp);
  check_default_v4_segment(s);
  REQUIRE(decode(capture::kLinkIpv6, v6_tcp(), s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
  CHECK(decode(capture::kLinkRaw, Frame{0x50, 0, 0, 0}, s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkRaw, Frame{}, s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkIpv4, v6_tcp(), s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkIpv6, v4_tcp(), s) == DecodeStatus::malformed);
  CHECK(decode(147 /* LINKTYPE_USER0 */, v4_tcp(), s) == DecodeStatus::unsupported_link);
}

TEST_CASE("decode: IPv4 fragments are not decoded as TCP") {
  TcpSegment s;
  Ipv4Fields ip;
  ip.flags_fragment = 0x2000;  // MF, offset 0: the first fragment
  CHECK(decode(capture::kLinkIpv4, ipv4(ip, tcp({}, kPayload)), s) == DecodeStatus::ip_fragment);
  ip.flags_fragment = 0x0010;  // offset 16 * 8, last fragment
  CHECK(decode(capture::kLinkIpv4, ipv4(ip, kPayload), s) == DecodeStatus::ip_fragment);
  ip.flags_fragment = 0x4000;  // DF only: a whole packet
  CHECK(decode(capture::kLinkIpv4, ipv4(ip, tcp({}, kPayload)), s) == DecodeStatus::tcp);
  ip.flags_fragment = 0x2000;
  ip.protocol = 17;  // a UDP fragment is simply not TCP
  CHECK(decode(capture::kLinkIpv4, ipv4(ip, Frame(8, 0)), s) == DecodeStatus::not_tcp);
}

TEST_CASE("decode: IPv6 extension headers") {
  TcpSegment s;
  // hop-by-hop -> routing -> destination options -> TCP
  const Frame chain = ext_header(43, 0) + ext_header(60, 1) + ext_header(6, 2) + tcp({}, kPayload);
  REQUIRE(decode(capture::kLinkIpv6, ipv6(0, chain), s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
  CHECK(s.dst.port == 3000);
  // AH: length in 4-octet units minus 2; here 4 units of payload data -> 24 bytes.
  Frame ah{6, 4, 0, 0};
  ah.resize(24, 0xaa);
  REQUIRE(decode(capture::kLinkIpv6, ipv6(51, ah + tcp({}, kPayload)), s) == DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
  // Fragments: first, later, and an atomic fragment (offset 0, M clear) that is a whole packet.
  CHECK(decode(capture::kLinkIpv6, ipv6(44, fragment_header(6, 0, true) + tcp({}, kPayload)), s) ==
        DecodeStatus::ip_fragment);
  CHECK(decode(capture::kLinkIpv6, ipv6(0, ext_header(44, 0) + fragment_header(6, 185, false) + kPayload), s) ==
        DecodeStatus::ip_fragment);
  REQUIRE(decode(capture::kLinkIpv6, ipv6(44, fragment_header(6, 0, false) + tcp({}, kPayload)), s) ==
          DecodeStatus::tcp);
  CHECK(payload_of(s) == kPayload);
  // ESP and "no next header" carry no visible TCP.
  CHECK(decode(capture::kLinkIpv6, ipv6(50, Frame(16, 0)), s) == DecodeStatus::not_tcp);
  CHECK(decode(capture::kLinkIpv6, ipv6(59, {}), s) == DecodeStatus::not_tcp);
  // An extension header longer than the packet.
  CHECK(decode(capture::kLinkIpv6, ipv6(0, Frame{6, 5, 0, 0, 0, 0, 0, 0}), s) == DecodeStatus::malformed);
}

TEST_CASE("decode: a payload cut by the snaplen is clipped and flagged") {
  Frame frame = ethernet(0x0800, ipv4({}, tcp({}, Frame(1400, 'z'))));
  frame.resize(14 + 20 + 20 + 100);  // captured 100 payload bytes of 1400
  TcpSegment s;
  REQUIRE(decode(capture::kLinkEthernet, frame, s) == DecodeStatus::tcp);
  CHECK(s.payload.size() == 100);
  CHECK(s.payload_truncated);
  Frame v6 = ipv6(6, tcp({}, Frame(1000, 'z')));
  v6.resize(40 + 20 + 10);
  REQUIRE(decode(capture::kLinkIpv6, v6, s) == DecodeStatus::tcp);
  CHECK(s.payload.size() == 10);
  CHECK(s.payload_truncated);
}

TEST_CASE("decode: an IPv4 total length of 0 (segmentation offload) means the captured length") {
  Ipv4Fields ip;
  ip.total_length = 0;
  TcpSegment s;
  REQUIRE(decode(capture::kLinkIpv4, ipv4(ip, tcp({}, Frame(3000, 'q'))), s) == DecodeStatus::tcp);
  CHECK(s.payload.size() == 3000);
  CHECK_FALSE(s.payload_truncated);
}

TEST_CASE("decode: headers cut short or inconsistent are malformed") {
  TcpSegment s;
  CHECK(decode(capture::kLinkEthernet, Frame(13, 0), s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkEthernet, ethernet(0x0800, {}), s) == DecodeStatus::malformed);
  const Frame whole = v4_tcp();
  for (std::size_t cut : {1u, 10u, 19u, 20u, 30u, 39u}) {  // inside the IPv4 header or the TCP header
    INFO("IPv4 frame cut to " << cut);
    CHECK(decode(capture::kLinkIpv4, Frame(whole.begin(), whole.begin() + cut), s) == DecodeStatus::malformed);
  }
  Ipv4Fields short_total;
  short_total.total_length = 16;  // below the header length
  CHECK(decode(capture::kLinkIpv4, ipv4(short_total, tcp({}, kPayload)), s) == DecodeStatus::malformed);
  Frame bad_ihl = v4_tcp();
  bad_ihl[0] = 0x44;  // IHL 4 words
  CHECK(decode(capture::kLinkIpv4, bad_ihl, s) == DecodeStatus::malformed);
  Frame long_ihl = v4_tcp();
  long_ihl[0] = 0x4f;  // 60-byte header in a 45-byte packet
  CHECK(decode(capture::kLinkIpv4, Frame(long_ihl.begin(), long_ihl.begin() + 45), s) == DecodeStatus::malformed);
  Frame bad_offset = v4_tcp();
  bad_offset[20 + 12] = 0x40;  // TCP data offset 4 words
  CHECK(decode(capture::kLinkIpv4, bad_offset, s) == DecodeStatus::malformed);
  Frame long_offset = v4_tcp();
  long_offset[20 + 12] = 0xf0;  // 60-byte TCP header in 25 bytes
  CHECK(decode(capture::kLinkIpv4, long_offset, s) == DecodeStatus::malformed);
  const Frame v6 = v6_tcp();
  CHECK(decode(capture::kLinkIpv6, Frame(v6.begin(), v6.begin() + 39), s) == DecodeStatus::malformed);
  CHECK(decode(capture::kLinkIpv6, Frame(v6.begin(), v6.begin() + 50), s) == DecodeStatus::malformed);
}

TEST_CASE("decode: the output is reset when a frame is not TCP") {
  TcpSegment s;
  REQUIRE(decode(capture::kLinkIpv4, v4_tcp(), s) == DecodeStatus::tcp);
  REQUIRE(s.src.port == 50000);
  CHECK(decode(capture::kLinkEthernet, ethernet(0x0806, Frame(28, 0)), s) == DecodeStatus::not_tcp);
  CHECK(s.src.port == 0);
  CHECK(s.payload.empty());
}
