// Address text: RFC 5952's own examples, and random addresses compared with
// the C library's inet_ntop (an independent RFC 5952 implementation). Address
// order: random addresses compared with the plain byte order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <compare>
#include <random>

#ifndef _WIN32
#include <arpa/inet.h>
#endif

#include "core/net/packet_decoder.h"

using tlsring::net::Endpoint;
using tlsring::net::IpAddress;

namespace {

IpAddress v6(std::initializer_list<std::uint16_t> groups) {
  IpAddress address;
  address.version = 6;
  std::size_t i = 0;
  for (std::uint16_t g : groups) {
    address.bytes[i++] = static_cast<std::uint8_t>(g >> 8);
    address.bytes[i++] = static_cast<std::uint8_t>(g);
  }
  return address;
}

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.version = 4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

}  // namespace

TEST_CASE("IpAddress: IPv4 dotted quad") {
  CHECK(v4(10, 0, 0, 1).to_string() == "10.0.0.1");
  CHECK(v4(255, 255, 255, 255).to_string() == "255.255.255.255");
  CHECK(v4(0, 0, 0, 0).to_string() == "0.0.0.0");
}

TEST_CASE("IpAddress: RFC 5952 examples") {
  // 4.1: no leading zeros; 4.3: lower case.
  CHECK(v6({0x2001, 0x0db8, 0, 0, 0, 0, 0, 0x0001}).to_string() == "2001:db8::1");
  CHECK(v6({0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa}).to_string() ==
        "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa");
  // 4.2.1: "::" as long as possible.
  CHECK(v6({0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}).to_string() == "2001:db8::2:1");
  // 4.2.2: a single 16-bit 0 field is not shortened.
  CHECK(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}).to_string() == "2001:db8:0:1:1:1:1:1");
  // 4.2.3: the longest run; on a tie, the first.
  CHECK(v6({0x2001, 0, 0, 1, 0, 0, 0, 1}).to_string() == "2001:0:0:1::1");
  CHECK(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}).to_string() == "2001:db8::1:0:0:1");
  // Edges.
  CHECK(v6({0, 0, 0, 0, 0, 0, 0, 0}).to_string() == "::");
  CHECK(v6({0, 0, 0, 0, 0, 0, 0, 1}).to_string() == "::1");
  CHECK(v6({0xfe80, 0, 0, 0, 0, 0, 0, 0}).to_string() == "fe80::");
  CHECK(v6({1, 0, 0, 0, 0, 0, 0, 0xffff}).to_string() == "1::ffff");
  // 5: IPv4-mapped addresses end in dotted quad.
  CHECK(v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201}).to_string() == "::ffff:192.0.2.1");
}

TEST_CASE("Endpoint: IPv6 in brackets") {
  CHECK(Endpoint{v4(10, 0, 0, 1), 3000}.to_string() == "10.0.0.1:3000");
  CHECK(Endpoint{v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), 443}.to_string() == "[2001:db8::1]:443");
  CHECK(Endpoint{v6({0, 0, 0, 0, 0, 0, 0, 1}), 0}.to_string() == "[::1]:0");
}

#ifndef _WIN32
TEST_CASE("IpAddress: random IPv6 addresses print as inet_ntop prints them") {
  std::mt19937 random(5952);
  for (int i = 0; i < 20000; ++i) {
    IpAddress address;
    address.version = 6;
    for (int g = 0; g < 8; ++g) {
      // Zero groups often, so that runs and ties are common; small values for leading-zero cases.
      const auto r = random();
      const std::uint16_t value = r % 2 == 0 ? 0 : (r % 3 == 0 ? static_cast<std::uint16_t>((r >> 8) % 16)
                                                               : static_cast<std::uint16_t>(r >> 8));
      address.bytes[2 * g] = static_cast<std::uint8_t>(value >> 8);
      address.bytes[2 * g + 1] = static_cast<std::uint8_t>(value);
    }
    // The C library prints ::/96 (deprecated IPv4-compatible) addresses in
    // dotted form, which RFC 5952 does not ask for: leave those out.
    bool first_96_zero = true;
    for (int b = 0; b < 12; ++b) first_96_zero = first_96_zero && address.bytes[b] == 0;
    if (first_96_zero) continue;
    char expected[INET6_ADDRSTRLEN];
    REQUIRE(inet_ntop(AF_INET6, address.bytes.data(), expected, sizeof expected) != nullptr);
    INFO("iteration " << i);
    REQUIRE(address.to_string() == expected);
  }
}
#endif

TEST_CASE("IpAddress: ordered by version, then byte by byte, and equal only when every byte is") {
  // Addresses that differ in one byte anywhere, in both words, so that the
  // word-wise comparison is checked against the plain byte order.
  std::mt19937 random(4291);
  for (int i = 0; i < 20000; ++i) {
    IpAddress a;
    a.version = random() % 4 == 0 ? 4 : 6;
    for (auto& byte : a.bytes) byte = static_cast<std::uint8_t>(random() % 3);
    IpAddress b = a;
    if (random() % 5 != 0) b.bytes[random() % 16] = static_cast<std::uint8_t>(random() % 3);
    if (random() % 10 == 0) b.version = b.version == 4 ? 6 : 4;
    const auto expected = a.version != b.version
                              ? a.version <=> b.version
                              : std::lexicographical_compare_three_way(a.bytes.begin(), a.bytes.end(),
                                                                       b.bytes.begin(), b.bytes.end());
    INFO("iteration " << i);
    REQUIRE((a <=> b) == expected);
    REQUIRE((a == b) == (expected == 0));
    REQUIRE((b <=> a) == (0 <=> expected));
  }
  REQUIRE(v4(10, 0, 0, 1) < v4(10, 0, 0, 2));
  REQUIRE(v4(255, 0, 0, 1) < v6({0, 0, 0, 0, 0, 0, 0, 1}));
  REQUIRE(v6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xff}) < v6({0x2001, 0xdb8, 0, 0, 0, 0, 1, 0}));
}
