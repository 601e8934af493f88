// TCP segmentation and impairments: sequence and acknowledgment numbers worked
// out by hand from RFC 793 (SYN and FIN take one number each).
#include <algorithm>
#include <catch2/catch.hpp>
#include <tuple>
#include <vector>

#include "tests/gen/impairments.h"
#include "tests/gen/tcp_flow.h"

using namespace tlsring::testgen;
using namespace tlsring::testgen::tcp_flags;

namespace {

constexpr auto kC2s = Direction::client_to_server;
constexpr auto kS2c = Direction::server_to_client;

// Chunks of the given sizes, laid out back to back in each direction's stream.
TlsConnectionResult fake_tls(std::vector<std::tuple<Direction, std::size_t, bool>> chunks) {
  TlsConnectionResult tls;
  for (auto [d, size, new_message] : chunks) {
    auto& wire = tls.wire[index_of(d)];
    tls.chunks.push_back(TlsChunk{d, wire.size(), size, new_message});
    wire.resize(wire.size() + size, 0xab);
  }
  return tls;
}

struct Expected {
  Direction direction;
  std::uint8_t flags;
  std::uint32_t seq;
  std::uint32_t ack;
  std::uint32_t length;
};

void check_flow(const std::vector<TcpSegment>& got, const std::vector<Expected>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("segment " << i);
    CHECK(got[i].direction == expected[i].direction);
    CHECK(int(got[i].flags) == int(expected[i].flags));
    CHECK(got[i].seq == expected[i].seq);
    CHECK(got[i].ack == expected[i].ack);
    CHECK(got[i].payload_length == expected[i].length);
    if (i > 0) CHECK(got[i].timestamp_ns > got[i - 1].timestamp_ns);
  }
}

}  // namespace

TEST_CASE("tcp flow: handshake, MSS segmentation, delayed ACKs, close") {
  const auto tls = fake_tls({{kC2s, 100, false}, {kS2c, 3000, false}, {kC2s, 50, true}});
  TcpFlowConfig config;
  config.client_isn = 1000;
  config.server_isn = 5000;
  const std::int64_t start = 1'000'000'000;
  const auto flow = build_tcp_flow(tls, config, start);
  check_flow(flow, {
                       {kC2s, kSyn, 1000, 0, 0},
                       {kS2c, kSyn | kAck, 5000, 1001, 0},
                       {kC2s, kAck, 1001, 5001, 0},
                       {kC2s, kAck | kPsh, 1001, 5001, 100},
                       {kS2c, kAck, 5001, 1101, 0},  // the server's delayed ACK beats its answer
                       {kS2c, kAck, 5001, 1101, 1460},
                       {kS2c, kAck, 6461, 1101, 1460},
                       {kC2s, kAck, 1101, 7921, 0},  // every second full segment
                       {kS2c, kAck | kPsh, 7921, 1101, 80},
                       {kC2s, kAck, 1101, 8001, 0},
                       {kC2s, kAck | kPsh, 1101, 8001, 50},
                       {kS2c, kAck, 8001, 1151, 0},
                       {kC2s, kFin | kAck, 1151, 8001, 0},
                       {kS2c, kFin | kAck, 8001, 1152, 0},
                       {kC2s, kAck, 1152, 8002, 0},
                   });
  CHECK(flow[0].mss_option);
  CHECK(flow[1].mss_option);
  CHECK_FALSE(flow[2].mss_option);
  CHECK(flow[0].timestamp_ns == start);
  CHECK(flow[1].timestamp_ns == start + config.timing.server_step_ns);
  CHECK(flow[2].timestamp_ns == start + config.timing.server_step_ns + config.timing.rtt_ns);
  // Payload offsets walk each direction's stream.
  CHECK(flow[6].payload_offset == 1460);
  CHECK(flow[8].payload_offset == 2920);
  CHECK(flow[10].payload_offset == 100);
}

TEST_CASE("tcp flow: sequence numbers wrap at 2^32") {
  const auto tls = fake_tls({{kC2s, 100, false}});
  TcpFlowConfig config;
  config.client_isn = 0xfffffff0;
  config.server_isn = 0xffffffff;
  config.close = false;
  check_flow(build_tcp_flow(tls, config, 0), {
                                                 {kC2s, kSyn, 0xfffffff0, 0, 0},
                                                 {kS2c, kSyn | kAck, 0xffffffff, 0xfffffff1, 0},
                                                 {kC2s, kAck, 0xfffffff1, 0, 0},
                                                 {kC2s, kAck | kPsh, 0xfffffff1, 0, 100},
                                                 {kS2c, kAck, 0, 0x55, 0},
                                             });
}

TEST_CASE("tcp flow: without a handshake the data starts at isn + 1") {
  const auto tls = fake_tls({{kS2c, 10, false}});
  TcpFlowConfig config;
  config.client_isn = 7;
  config.server_isn = 70;
  config.handshake = false;
  config.close = false;
  check_flow(build_tcp_flow(tls, config, 0), {
                                                 {kS2c, kAck | kPsh, 71, 8, 10},
                                                 {kC2s, kAck, 8, 81, 0},
                                             });
}

namespace {

std::vector<TcpSegment> sample_flow() {
  const auto tls = fake_tls({{kC2s, 200, false}, {kS2c, 20000, false}, {kC2s, 300, true},
                             {kS2c, 5000, true}});
  TcpFlowConfig config;
  config.client_isn = 100;
  config.server_isn = 200;
  return build_tcp_flow(tls, config, 0);
}

std::uint64_t data_segments(const std::vector<TcpSegment>& segments) {
  return static_cast<std::uint64_t>(std::count_if(segments.begin(), segments.end(),
                                                  [](const TcpSegment& s) { return s.payload_length > 0; }));
}

bool strictly_increasing(const std::vector<TcpSegment>& segments) {
  for (std::size_t i = 1; i < segments.size(); ++i) {
    if (segments[i].timestamp_ns <= segments[i - 1].timestamp_ns) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("impairments: a late capture start loses the handshake") {
  auto segments = sample_flow();
  const auto original = segments;
  Rng rng(1);
  Impairments late;
  late.drop_first = 4;  // SYN, SYN-ACK, ACK, ClientHello segment
  const auto stats = apply_impairments(segments, late, rng);
  REQUIRE(segments.size() == original.size() - 4);
  CHECK(segments.front().seq == original[4].seq);
  CHECK(stats.dropped == 4);
  CHECK_FALSE(stats.syn_captured);
  CHECK(stats.lost_bytes[index_of(kC2s)] == 200);
  CHECK(stats.lost_bytes[index_of(kS2c)] == 0);
}

TEST_CASE("impairments: loss keeps the other segments untouched") {
  auto segments = sample_flow();
  const auto original = segments;
  Rng rng(3);
  Impairments all;
  all.drop = 1.0;
  auto stats = apply_impairments(segments, all, rng);
  CHECK(segments.empty());
  CHECK(stats.lost_bytes[index_of(kC2s)] == 500);
  CHECK(stats.lost_bytes[index_of(kS2c)] == 25000);

  segments = original;
  Impairments some;
  some.drop = 0.3;
  stats = apply_impairments(segments, some, rng);
  CHECK(segments.size() + stats.dropped == original.size());
  // Survivors keep their numbers: ACKs still cover bytes the capture lost.
  for (const auto& s : segments) {
    CHECK(std::any_of(original.begin(), original.end(), [&](const TcpSegment& o) {
      return o.seq == s.seq && o.ack == s.ack && o.flags == s.flags && o.direction == s.direction &&
             o.timestamp_ns == s.timestamp_ns;
    }));
  }
}

TEST_CASE("impairments: retransmissions duplicate data segments") {
  auto segments = sample_flow();
  const auto original = segments;
  Rng rng(5);
  Impairments dup;
  dup.retransmit = 1.0;
  const auto stats = apply_impairments(segments, dup, rng);
  CHECK(stats.duplicated == data_segments(original));
  CHECK(data_segments(segments) == 2 * data_segments(original));
  CHECK(strictly_increasing(segments));
  CHECK(stats.lost_bytes == std::array<std::uint64_t, 2>{0, 0});
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!segments[i].duplicate) continue;
    // A copy comes after its original, with the same numbers.
    CHECK(std::any_of(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(i),
                      [&](const TcpSegment& o) {
                        return !o.duplicate && o.seq == segments[i].seq &&
                               o.direction == segments[i].direction &&
                               o.payload_length == segments[i].payload_length;
                      }));
  }
}

TEST_CASE("impairments: reordering swaps neighbours of one direction only") {
  auto segments = sample_flow();
  const auto original = segments;
  Rng rng(9);
  Impairments swap;
  swap.reorder = 1.0;
  const auto stats = apply_impairments(segments, swap, rng);
  REQUIRE(segments.size() == original.size());
  CHECK(stats.reordered > 0);
  CHECK(strictly_increasing(segments));
  bool moved = false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    CHECK(segments[i].direction == original[i].direction);  // no answer before its question
    moved = moved || segments[i].seq != original[i].seq;
  }
  CHECK(moved);
}

TEST_CASE("impairments: the same seed gives the same result") {
  Impairments mix;
  mix.reorder = 0.2;
  mix.retransmit = 0.2;
  mix.drop = 0.2;
  auto a = sample_flow();
  auto b = sample_flow();
  Rng rng_a(42);
  Rng rng_b(42);
  apply_impairments(a, mix, rng_a);
  apply_impairments(b, mix, rng_b);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].seq == b[i].seq);
    CHECK(a[i].timestamp_ns == b[i].timestamp_ns);
  }
}
