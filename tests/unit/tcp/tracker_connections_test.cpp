// TcpTracker cases about the connection table: several connections, port
// reuse, idle timeout, eviction, ignored connections, close order.

#include <algorithm>
#include <array>
#include <numeric>
#include <string>
#include <vector>

#include "recording.h"

namespace tcp_test {
namespace {

using tlsring::net::kAck;
using tlsring::net::kFin;
using tlsring::net::kSyn;

constexpr std::int64_t kSecond = 1000000000;

// A client/server pair whose segments are built from stream offsets.
struct Pair {
  Endpoint client;
  Endpoint server;
  std::uint32_t client_isn;
  std::uint32_t server_isn;

  TcpSegment syn() const { return segment(client, server, client_isn, 0, kSyn); }
  TcpSegment syn_ack() const { return segment(server, client, server_isn, client_isn + 1, kSyn | kAck); }
  TcpSegment from_client(std::uint32_t offset, std::span<const std::uint8_t> payload, std::uint8_t flags = kAck,
                         std::uint32_t ack_offset = 0) const {
    return segment(client, server, client_isn + 1 + offset, server_isn + 1 + ack_offset, flags, payload);
  }
  TcpSegment from_server(std::uint32_t offset, std::span<const std::uint8_t> payload, std::uint8_t flags = kAck,
                         std::uint32_t ack_offset = 0) const {
    return segment(server, client, server_isn + 1 + offset, client_isn + 1 + ack_offset, flags, payload);
  }
};

const Endpoint kServer = endpoint(192, 168, 1, 10, 3000);

std::span<const std::uint8_t> slice(const std::vector<std::uint8_t>& bytes, std::size_t begin, std::size_t end) {
  return std::span<const std::uint8_t>(bytes).subspan(begin, end - begin);
}

}  // namespace

TEST_CASE("TcpTracker: a new SYN after FIN both ways starts a new connection and late segments are dropped") {
  RecordingFactory factory;
  TcpTracker tracker(factory);
  const auto first_bytes = random_bytes(10, 11);
  const auto second_bytes = random_bytes(20, 12);
  const Pair old_pair{endpoint(192, 168, 1, 20, 40000), kServer, 100, 900};
  const Pair new_pair{old_pair.client, kServer, 5000, 6000};

  tracker.add(old_pair.syn(), 1);
  tracker.add(old_pair.syn_ack(), 2);
  tracker.add(old_pair.from_client(0, first_bytes), 3);
  tracker.add(old_pair.from_client(10, {}, kFin | kAck), 4);
  tracker.add(old_pair.from_server(0, {}, kFin | kAck, 11), 5);
  CHECK(tracker.open_connections() == 0);
  tracker.add(old_pair.from_client(11, {}, kAck, 1), 6);                // the last ACK
  tracker.add(old_pair.from_server(0, {}, kFin | kAck, 11), 7);         // a retransmitted FIN
  CHECK(factory.open_calls == 1);

  tracker.add(new_pair.syn(), 8);
  tracker.add(new_pair.syn(), 9);  // retransmitted SYN: same connection
  tracker.add(new_pair.syn_ack(), 10);
  tracker.add(new_pair.from_client(0, second_bytes), 11);
  CHECK(tracker.open_connections() == 1);
  tracker.finish(12);

  REQUIRE(factory.connections.size() == 2);
  const Recording& a = *factory.connections[0];
  const Recording& b = *factory.connections[1];
  CHECK(a.info.id == 0);
  CHECK(b.info.id == 1);
  CHECK(b.info.syn_seen);
  CHECK(b.info.endpoint[0] == new_pair.client);
  CHECK(b.info.first_seen_ns == 8);
  CHECK(shape(a, Side::first, first_bytes) == "D0-10 F");
  CHECK(shape(a, Side::second, first_bytes) == "F");
  CHECK(close_reason(a) == "fin");
  CHECK(a.events.back().timestamp_ns == 5);
  CHECK(shape(b, Side::first, second_bytes) == "D0-20");
  CHECK(close_reason(b) == "end_of_capture");
  CHECK(tracker.stats().connections == 2);
  CHECK(tracker.stats().segments == 11);
}

TEST_CASE("TcpTracker: a SYN with another ISN on an open connection closes it as reused") {
  RecordingFactory factory;
  TcpTracker tracker(factory);
  const auto bytes = random_bytes(40, 21);
  const Pair old_pair{endpoint(192, 168, 1, 20, 40001), kServer, 0xfffffff0U, 12345};
  const Pair new_pair{old_pair.client, kServer, 0x7ffffff0U, 999};

  tracker.add(old_pair.syn(), 10);
  tracker.add(old_pair.syn_ack(), 20);
  tracker.add(old_pair.from_client(0, slice(bytes, 0, 10)), 30);
  tracker.add(old_pair.from_client(20, slice(bytes, 20, 30)), 40);  // held behind a hole
  tracker.add(old_pair.syn_ack(), 45);                               // a retransmitted SYN/ACK changes nothing
  tracker.add(new_pair.syn(), 50);
  tracker.add(new_pair.syn_ack(), 60);
  tracker.add(new_pair.from_client(0, slice(bytes, 0, 40)), 70);
  tracker.finish(80);

  REQUIRE(factory.connections.size() == 2);
  const Recording& a = *factory.connections[0];
  const Recording& b = *factory.connections[1];
  CHECK(shape(a, Side::first, bytes) == "D0-10 G10-20 D20-30");
  CHECK(close_reason(a) == "reused");
  CHECK(a.events.back().timestamp_ns == 50);
  CHECK(b.info.id == 1);
  CHECK(b.info.syn_seen);
  CHECK(shape(b, Side::first, bytes) == "D0-40");
  CHECK(close_reason(b) == "end_of_capture");
}

TEST_CASE("TcpTracker: idle connections close with idle_timeout and their next segment starts a new one") {
  RecordingFactory factory;
  TcpTracker::Options options;
  options.idle_timeout_ns = 10 * kSecond;
  TcpTracker tracker(factory, options);
  const auto bytes = random_bytes(300, 31);
  const Pair a{endpoint(192, 168, 1, 21, 40000), kServer, 1000, 2000};
  const Pair b{endpoint(192, 168, 1, 22, 40000), kServer, 3000, 4000};

  tracker.add(a.syn(), 1 * kSecond);
  tracker.add(a.syn_ack(), 1 * kSecond);
  tracker.add(a.from_client(0, slice(bytes, 0, 100)), 2 * kSecond);
  tracker.add(a.from_client(150, slice(bytes, 150, 200)), 2 * kSecond);  // held behind a hole
  tracker.add(b.syn(), 5 * kSecond);
  tracker.add(b.from_client(0, {}), 11 * kSecond);  // a: 9 s idle
  CHECK(tracker.open_connections() == 2);
  tracker.add(b.from_client(0, {}), 12 * kSecond);  // a: exactly 10 s idle
  CHECK(tracker.open_connections() == 1);
  REQUIRE(factory.connections.size() == 2);
  const Recording& first = *factory.connections[0];
  CHECK(shape(first, Side::first, bytes) == "D0-100 G100-150 D150-200");
  CHECK(close_reason(first) == "idle_timeout");
  CHECK(first.events.back().timestamp_ns == 12 * kSecond);

  // The old connection talks again: a new connection, started mid-stream.
  tracker.add(a.from_client(200, slice(bytes, 200, 300)), 13 * kSecond);
  REQUIRE(factory.connections.size() == 3);
  const Recording& again = *factory.connections[2];
  CHECK(again.info.id == 2);
  CHECK_FALSE(again.info.syn_seen);
  CHECK(shape(again, Side::first, bytes, 200) == "D0-100");
  tracker.finish(14 * kSecond);
  CHECK(factory.close_order == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(close_reason(*factory.connections[1]) == "end_of_capture");
}

TEST_CASE("TcpTracker: at max_connections the least recently active connection is evicted") {
  RecordingFactory factory;
  TcpTracker::Options options;
  options.max_connections = 2;
  TcpTracker tracker(factory, options);
  const auto bytes = random_bytes(100, 41);
  const Pair a{endpoint(192, 168, 1, 31, 40000), kServer, 1, 2};
  const Pair b{endpoint(192, 168, 1, 32, 40000), kServer, 3, 4};
  const Pair c{endpoint(192, 168, 1, 33, 40000), kServer, 5, 6};

  tracker.add(a.syn(), 1);
  tracker.add(b.syn(), 2);
  tracker.add(b.from_client(50, slice(bytes, 50, 100)), 3);  // held behind a hole
  tracker.add(a.from_client(0, slice(bytes, 0, 10)), 4);     // a is now more recent than b
  tracker.add(c.syn(), 5);
  CHECK(tracker.open_connections() == 2);
  CHECK(tracker.stats().evicted_connections == 1);
  REQUIRE(factory.connections.size() == 3);
  const Recording& evicted = *factory.connections[1];
  CHECK(evicted.info.endpoint[0] == b.client);
  CHECK(shape(evicted, Side::first, bytes) == "G0-50 D50-100");
  CHECK(close_reason(evicted) == "evicted");
  CHECK(tracker.stats().buffered_bytes == 0);
  tracker.finish(6);
  CHECK(factory.close_order == std::vector<std::uint64_t>{1, 0, 2});
}

TEST_CASE("TcpTracker: closed connections make room before open ones are evicted") {
  RecordingFactory factory;
  TcpTracker::Options options;
  options.max_connections = 2;
  TcpTracker tracker(factory, options);
  const Pair a{endpoint(192, 168, 1, 41, 40000), kServer, 1, 2};
  const Pair b{endpoint(192, 168, 1, 42, 40000), kServer, 3, 4};
  const Pair c{endpoint(192, 168, 1, 43, 40000), kServer, 5, 6};

  tracker.add(a.syn(), 1);
  tracker.add(a.syn_ack(), 2);
  tracker.add(a.from_client(0, {}, kFin | kAck), 3);
  tracker.add(a.from_server(0, {}, kFin | kAck, 1), 4);
  tracker.add(b.syn(), 5);
  tracker.add(a.from_client(1, {}, kAck, 1), 6);  // a's last ACK: a is the most recent entry
  tracker.add(c.syn(), 7);
  CHECK(tracker.stats().evicted_connections == 0);
  CHECK(tracker.open_connections() == 2);
  tracker.finish(8);
  REQUIRE(factory.connections.size() == 3);
  CHECK(close_reason(*factory.connections[0]) == "fin");
  CHECK(close_reason(*factory.connections[1]) == "end_of_capture");
  CHECK(close_reason(*factory.connections[2]) == "end_of_capture");
}

TEST_CASE("TcpTracker: a connection the factory declines is dropped without asking again") {
  RecordingFactory factory;
  factory.accept = [](const ConnectionInfo& info) { return info.endpoint[1].port == 3000; };
  TcpTracker tracker(factory);
  const auto bytes = random_bytes(100, 51);
  const Pair ignored{endpoint(192, 168, 1, 51, 40000), endpoint(192, 168, 1, 10, 3001), 100, 200};
  const Pair kept{endpoint(192, 168, 1, 51, 40001), kServer, 300, 400};

  tracker.add(ignored.syn(), 1);
  tracker.add(kept.syn(), 2);
  tracker.add(ignored.syn_ack(), 3);
  tracker.add(ignored.from_client(0, bytes), 4);
  tracker.add(kept.syn_ack(), 5);
  tracker.add(ignored.from_server(0, bytes), 6);
  tracker.add(kept.from_client(0, bytes), 7);
  tracker.add(ignored.syn(), 8);  // retransmitted SYN: still the ignored connection
  CHECK(factory.open_calls == 2);
  CHECK(tracker.open_connections() == 1);

  const Pair ignored_again{ignored.client, ignored.server, 90000, 0};  // port reuse: a new connection
  tracker.add(ignored_again.syn(), 9);
  CHECK(factory.open_calls == 3);
  tracker.finish(10);

  REQUIRE(factory.all.size() == 3);
  CHECK(factory.all[0]->info.id == 0);
  CHECK(factory.all[2]->info.id == 2);
  CHECK(factory.all[0]->events.empty());
  REQUIRE(factory.connections.size() == 1);
  CHECK(shape(*factory.connections[0], Side::first, bytes) == "D0-100");
  CHECK(tracker.stats().connections == 3);
}

TEST_CASE("TcpTracker: a bare RST opens nothing and finish closes in id order") {
  RecordingFactory factory;
  TcpTracker tracker(factory);
  tracker.add(segment(endpoint(10, 1, 1, 1, 1000), kServer, 5, 0, tlsring::net::kRst), 1);
  CHECK(factory.open_calls == 0);
  std::vector<Pair> pairs;
  for (std::uint16_t i = 0; i < 20; ++i) pairs.push_back(Pair{endpoint(10, 1, 1, 2, static_cast<std::uint16_t>(2000 + i)), kServer, i, i});
  for (const Pair& p : pairs) tracker.add(p.syn(), 2);
  tracker.finish(3);
  std::vector<std::uint64_t> expected(20);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(factory.close_order == expected);
  CHECK(tracker.open_connections() == 0);
}

TEST_CASE("TcpTracker: every order of five segments gives the same bytes") {
  // One connection per permutation (120), all in one tracker.
  RecordingFactory factory;
  TcpTracker tracker(factory);
  const auto bytes = random_bytes(160, 61);
  const std::array<std::pair<std::uint32_t, std::uint32_t>, 5> pieces{
      {{0, 20}, {20, 50}, {50, 51}, {51, 90}, {90, 160}}};
  std::array<int, 5> order{0, 1, 2, 3, 4};
  std::uint16_t port = 10000;
  std::int64_t ts = 0;
  do {
    const Pair p{endpoint(10, 2, 0, 1, port++), kServer, 0xffffffd0U, 77};  // crosses the wrap too
    tracker.add(p.syn(), ++ts);
    tracker.add(p.syn_ack(), ++ts);
    for (int i : order) {
      tracker.add(p.from_client(pieces[i].first, slice(bytes, pieces[i].first, pieces[i].second)), ++ts);
    }
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(tracker.stats().buffered_bytes == 0);
  tracker.finish(++ts);

  REQUIRE(factory.connections.size() == 120);
  for (const auto& recording : factory.connections) {
    CHECK(shape(*recording, Side::first, bytes) == "D0-160");
  }
  CHECK(tracker.stats().gaps == 0);
}

}  // namespace tcp_test
