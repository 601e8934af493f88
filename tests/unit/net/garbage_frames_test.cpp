// Fuzz-like loop with a fixed seed: random and damaged frames through
// decode_tcp for every link type. It must return one of its statuses, and a
// TCP result must point inside the frame.
#include <catch2/catch.hpp>

#include <random>

#include "core/capture/capture_reader.h"
#include "core/net/packet_decoder.h"
#include "tests/unit/net/frame_builder.h"

using namespace tlsring;
using namespace tlsring::test;

TEST_CASE("garbage frames: decode_tcp stays inside the frame") {
  std::mt19937 random(4242);
  const std::uint32_t link_types[] = {capture::kLinkNull,  capture::kLinkEthernet, capture::kLinkRaw,
                                      capture::kLinkLinuxSll, capture::kLinkLoop, capture::kLinkIpv4,
                                      capture::kLinkIpv6,  capture::kLinkLinuxSll2, 9999};
  // Seeds that reach deep into the decoder before the damage.
  const Frame seeds[] = {
      ethernet(0x0800, ipv4({}, tcp({}, Frame(40, 'a')))),
      ethernet(0x8100, vlan_tag(5, 0x86dd) + ipv6(0, ext_header(44, 0) + fragment_header(6, 0, false) +
                                                      tcp({}, Frame(9, 'b')))),
      ipv4({}, tcp({}, {})),
      ipv6(51, Frame{6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} + tcp({}, Frame(3, 'c'))),
  };
  int tcp_results = 0;
  for (int i = 0; i < 200000; ++i) {
    Frame frame;
    if (i % 2 == 0) {
      frame.resize(std::uniform_int_distribution<std::size_t>(0, 120)(random));
      for (auto& byte : frame) byte = static_cast<std::uint8_t>(random());
    } else {
      frame = seeds[static_cast<std::size_t>(i / 2) % std::size(seeds)];
      const int flips = std::uniform_int_distribution<int>(1, 4)(random);
      for (int f = 0; f < flips; ++f) frame[random() % frame.size()] = static_cast<std::uint8_t>(random());
      if (i % 6 == 1) frame.resize(random() % (frame.size() + 1));
    }
    const std::uint32_t link_type = link_types[static_cast<std::size_t>(random()) % std::size(link_types)];
    net::TcpSegment segment;
    const auto status = net::decode_tcp(link_type, frame, segment);
    if (status == net::DecodeStatus::tcp) {
      ++tcp_results;
      const auto* begin = frame.data();
      const auto* end = frame.data() + frame.size();
      const auto* payload = segment.payload.data();
      REQUIRE((segment.payload.empty() || (payload >= begin && payload + segment.payload.size() <= end)));
    } else {
      REQUIRE((status == net::DecodeStatus::not_tcp || status == net::DecodeStatus::ip_fragment ||
               status == net::DecodeStatus::unsupported_link || status == net::DecodeStatus::malformed));
      REQUIRE(segment.payload.empty());
    }
  }
  CHECK(tcp_results > 1000);  // the damaged seeds still decode often enough to exercise TCP parsing
}
