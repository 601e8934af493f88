// Table-driven TcpTracker cases: one connection each, segments built by hand
// from two byte streams, expected events written as shapes (see recording.h).
// Every byte a case sends a second time carries different content, so each
// case also checks that the first copy of a byte wins.

#include <optional>
#include <string>
#include <vector>

#include "recording.h"

namespace tcp_test {
namespace {

using tlsring::net::kAck;
using tlsring::net::kFin;
using tlsring::net::kRst;
using tlsring::net::kSyn;

constexpr std::uint8_t S = kSyn;
constexpr std::uint8_t A = kAck;
constexpr std::uint8_t F = kFin;
constexpr std::uint8_t R = kRst;
constexpr std::size_t kStreamLength = 256 * 1024;

struct Step {
  char from;             // 'c' client, 's' server
  std::int64_t offset;   // stream offset of the payload (a SYN sits just before it)
  std::size_t length;
  std::uint8_t flags;
  std::int64_t ack = 0;  // with A: the stream offset of the peer acknowledged
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  std::string client;                  // expected shape of the client's direction
  std::optional<std::string> client_before_finish = std::nullopt;  // ... before finish() turned holes into gaps
  std::string server;                  // expected shape of the server's direction
  std::optional<std::string> server_before_finish = std::nullopt;
  std::string close = "end_of_capture";
  bool closes_before_finish = false;
  std::uint32_t client_isn = 1000;
  std::uint32_t server_isn = 7000000;
  char first = 'c';                    // who is endpoint[0]
  bool syn_seen = true;
  // ConnectionInfo is what open() was given: the SYN/ACK is known there only
  // when it started the connection.
  bool syn_ack_seen = false;
  std::uint64_t client_shift = 0;      // stream offset the tracker calls 0
  std::uint64_t server_shift = 0;
  std::uint64_t max_buffered = 1 << 20;
  std::int64_t retransmitted = -1;     // expected stats().retransmitted_bytes; -1: not checked
};

std::vector<Step> handshake() { return {{'c', 0, 0, S}, {'s', 0, 0, S | A, 0}, {'c', 0, 0, A, 0}}; }

std::vector<Step> cat(std::vector<Step> a, const std::vector<Step>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Segments of `size` bytes from `from` covering [begin, end).
std::vector<Step> run(char from, std::int64_t begin, std::int64_t end, std::int64_t size) {
  std::vector<Step> steps;
  for (std::int64_t o = begin; o < end; o += size) {
    steps.push_back({from, o, static_cast<std::size_t>(std::min(size, end - o)), 0});
  }
  return steps;
}

const std::vector<std::uint8_t>& client_bytes() {
  static const auto bytes = random_bytes(kStreamLength, 1);
  return bytes;
}
const std::vector<std::uint8_t>& server_bytes() {
  static const auto bytes = random_bytes(kStreamLength, 2);
  return bytes;
}

const Endpoint kClient = endpoint(10, 0, 0, 1, 50123);
const Endpoint kServer = endpoint(10, 0, 0, 2, 3000);

std::size_t count_tokens(const std::string& shape, char kind) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == kind && (i == 0 || shape[i - 1] == ' ')) ++n;
  }
  return n;
}

void run_case(const Case& k) {
  RecordingFactory factory;
  TcpTracker::Options options;
  options.max_buffered_bytes = k.max_buffered;
  TcpTracker tracker(factory, options);
  factory.tracker = &tracker;

  std::vector<bool> sent[2] = {std::vector<bool>(kStreamLength), std::vector<bool>(kStreamLength)};
  std::int64_t ts = 1000000;
  for (const Step& step : k.steps) {
    const bool from_client = step.from == 'c';
    const auto& original = from_client ? client_bytes() : server_bytes();
    auto& seen = sent[from_client ? 0 : 1];
    // A byte sent again carries different content: it must lose to the first copy.
    std::vector<std::uint8_t> payload(step.length);
    for (std::size_t i = 0; i < step.length; ++i) {
      const auto at = static_cast<std::size_t>(step.offset) + i;
      payload[i] = seen[at] ? static_cast<std::uint8_t>(~original[at]) : original[at];
      seen[at] = true;
    }
    const std::uint32_t isn = from_client ? k.client_isn : k.server_isn;
    const std::uint32_t peer_isn = from_client ? k.server_isn : k.client_isn;
    const std::uint32_t syn = (step.flags & S) ? 1 : 0;
    const auto seq = static_cast<std::uint32_t>(isn + 1 + static_cast<std::uint32_t>(step.offset) - syn);
    const auto ack = (step.flags & A) ? static_cast<std::uint32_t>(peer_isn + 1 + static_cast<std::uint32_t>(step.ack)) : 0U;
    ts += 1000;
    tracker.add(segment(from_client ? kClient : kServer, from_client ? kServer : kClient, seq, ack, step.flags, payload),
                ts);
    CHECK(tracker.stats().buffered_bytes <= k.max_buffered);
  }
  const bool closed_before_finish = tracker.open_connections() == 0;
  if (k.client_before_finish || k.server_before_finish) {
    REQUIRE(factory.connections.size() == 1);
    const Side side = k.first == 'c' ? Side::first : Side::second;
    const Recording& rec = *factory.connections[0];
    if (k.client_before_finish) CHECK(shape(rec, side, client_bytes(), k.client_shift) == *k.client_before_finish);
    if (k.server_before_finish) CHECK(shape(rec, other(side), server_bytes(), k.server_shift) == *k.server_before_finish);
  }
  tracker.finish(ts + 1000);

  REQUIRE(factory.all.size() == 1);
  REQUIRE(factory.connections.size() == 1);
  const Recording& rec = *factory.connections[0];
  CHECK(rec.destroyed);
  CHECK(rec.info.id == 0);
  CHECK(rec.info.endpoint[0] == (k.first == 'c' ? kClient : kServer));
  CHECK(rec.info.endpoint[1] == (k.first == 'c' ? kServer : kClient));
  CHECK(rec.info.syn_seen == k.syn_seen);
  CHECK(rec.info.syn_ack_seen == k.syn_ack_seen);
  const Side client_side = k.first == 'c' ? Side::first : Side::second;
  CHECK(shape(rec, client_side, client_bytes(), k.client_shift) == k.client);
  CHECK(shape(rec, other(client_side), server_bytes(), k.server_shift) == k.server);
  CHECK(close_reason(rec) == k.close);
  CHECK(closed_before_finish == k.closes_before_finish);

  const auto& stats = tracker.stats();
  CHECK(stats.connections == 1);
  CHECK(stats.segments == k.steps.size());
  CHECK(stats.buffered_bytes == 0);
  CHECK(factory.max_buffered_seen <= k.max_buffered);
  CHECK(stats.gaps == count_tokens(k.client, 'G') + count_tokens(k.server, 'G'));
  if (k.retransmitted >= 0) CHECK(stats.retransmitted_bytes == static_cast<std::uint64_t>(k.retransmitted));
  CHECK(tracker.open_connections() == 0);
}

void run_cases(const std::vector<Case>& cases) {
  for (const Case& k : cases) {
    DYNAMIC_SECTION(k.name) { run_case(k); }
  }
}

}  // namespace

TEST_CASE("TcpTracker delivers in-order and reordered and retransmitted and overlapping data exactly once") {
  run_cases({
      {.name = "in order, FIN both ways, late final ACK dropped",
       .steps = cat(handshake(), {{'c', 0, 100, A, 0},
                                  {'c', 100, 150, A, 0},
                                  {'s', 0, 80, A, 250},
                                  {'c', 250, 0, F | A, 80},
                                  {'s', 80, 0, F | A, 251},
                                  {'c', 251, 0, A, 81}}),
       .client = "D0-250 F",
       .server = "D0-80 F",
       .close = "fin",
       .closes_before_finish = true,
       .retransmitted = 0},
      {.name = "reordered",
       .steps = cat(handshake(), {{'c', 100, 100, 0}, {'c', 0, 100, 0}, {'c', 300, 100, 0}, {'c', 200, 100, 0}}),
       .client = "D0-400",
       .server = "",
       .retransmitted = 0},
      {.name = "retransmission",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 0, 100, 0}, {'c', 100, 100, 0}, {'c', 50, 100, 0}}),
       .client = "D0-200",
       .server = "",
       .retransmitted = 200},
      {.name = "partial overlaps: only the new tail is delivered",
       .steps = cat(handshake(),
                    {{'c', 0, 100, 0}, {'c', 50, 130, 0}, {'c', 300, 100, 0}, {'c', 250, 100, 0}, {'c', 180, 70, 0}}),
       .client = "D0-400",
       .server = "",
       .retransmitted = 100},
      {.name = "in-order segment overlapping held bytes: the held copy wins",
       .steps = cat(handshake(), {{'c', 100, 100, 0}, {'c', 0, 300, 0}}),
       .client = "D0-300",
       .server = "",
       .retransmitted = 100},
      {.name = "data on the SYN",
       .steps = {{'c', 0, 50, S}, {'s', 0, 0, S | A, 50}, {'c', 50, 50, A, 0}},
       .client = "D0-100",
       .server = ""},
      {.name = "segment far ahead of a hole is held",
       .steps = cat(handshake(),
                    {{'c', 0, 100, 0}, {'c', 102500, 100, 0}, {'c', 100, 51200, 0}, {'c', 51300, 51200, 0}}),
       .client = "D0-102600",
       .server = "",
       .retransmitted = 0},
  });
}

TEST_CASE("TcpTracker unwraps sequence numbers across 2^32") {
  run_cases({
      {.name = "ISN 0xffffffff: the first byte is sequence number 0",
       .steps = cat(handshake(), {{'c', 0, 100, A, 0}, {'c', 100, 100, A, 0}, {'s', 0, 10, A, 200}}),
       .client = "D0-200",
       .server = "D0-10",
       .client_isn = 0xffffffffU},
      {.name = "data crossing the wrap",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 100, 100, 0}}),
       .client = "D0-200",
       .server = "",
       .client_isn = 0xffffffc0U},
      {.name = "retransmission across the wrap",
       .steps = cat(handshake(), {{'c', 0, 150, 0}, {'c', 50, 100, 0}, {'c', 150, 50, 0}, {'c', 90, 20, 0}}),
       .client = "D0-200",
       .server = "",
       .client_isn = 0xffffff9bU,  // offset 100 is sequence number 0
       .retransmitted = 120},
      {.name = "out of order across the wrap",
       .steps = cat(handshake(), {{'c', 100, 100, 0}, {'c', 50, 50, 0}, {'c', 0, 50, 0}}),
       .client = "D0-200",
       .server = "",
       .client_isn = 0xffffff9bU},
      {.name = "hole across the wrap, acknowledged by the peer",
       .steps = cat(handshake(), {{'s', 0, 90, A, 0}, {'s', 120, 80, A, 0}, {'c', 0, 0, A, 200}}),
       .client = "",
       .server = "D0-90 G90-120 D120-200",
       .server_before_finish = "D0-90 G90-120 D120-200",
       .server_isn = 0xffffff9bU},
      {.name = "mid-stream start just before the wrap",
       .steps = {{'c', 0, 100, A, 0}, {'c', 100, 100, A, 0}, {'s', 0, 50, A, 200}},
       .client = "D0-200",
       .server = "D0-50",
       .client_isn = 0xffffffe0U,
       .syn_seen = false},
      {.name = "SYN/ACK-only start on both sides of the wrap",
       .steps = {{'s', 0, 0, S | A, 0}, {'c', 0, 100, A, 0}, {'s', 0, 100, A, 100}},
       .client = "D0-100",
       .server = "D0-100",
       .client_isn = 0xfffffffeU,
       .server_isn = 0xffffffffU,
       .syn_seen = false,
       .syn_ack_seen = true},
  });
}

TEST_CASE("TcpTracker turns holes that will not fill into gaps") {
  run_cases({
      {.name = "the peer's ACK passes the hole: gap of its exact length, then the rest",
       .steps = cat(handshake(), {{'c', 0, 100, A, 0}, {'c', 200, 100, A, 0}, {'s', 0, 0, A, 300}, {'c', 300, 100, A, 0}}),
       .client = "D0-100 G100-200 D200-400",
       .client_before_finish = "D0-100 G100-200 D200-400",
       .server = ""},
      {.name = "an ACK inside the hole waits for the rest of it",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 200, 100, 0}, {'s', 0, 0, A, 150}, {'c', 100, 100, 0}}),
       .client = "D0-300",
       .client_before_finish = "D0-300",
       .server = ""},
      {.name = "an ACK seen before the later data still passes the hole",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'s', 0, 0, A, 200}, {'c', 200, 100, 0}}),
       .client = "D0-100 G100-200 D200-300",
       .client_before_finish = "D0-100 G100-200 D200-300",
       .server = ""},
      {.name = "loss at the end: the hole becomes a gap at finish",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 200, 100, 0}}),
       .client = "D0-100 G100-200 D200-300",
       .client_before_finish = "D0-100",
       .server = ""},
      {.name = "buffer bound: the oldest hole is given up, late bytes dropped",
       .steps = cat(cat(handshake(), run('c', 100, 1200, 100)), {{'c', 0, 100, 0}}),
       .client = "G0-100 D100-1200",
       .client_before_finish = "G0-100 D100-1200",
       .server = "",
       .max_buffered = 1000,
       .retransmitted = 100},
      {.name = "buffer bound: a segment larger than the bound",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 300, 1500, 0}}),
       .client = "D0-100 G100-300 D300-1800",
       .server = "",
       .max_buffered = 1000},
      {.name = "buffer bound: the new segment lies before the held bytes",
       .steps = cat(handshake(), {{'c', 500, 1000, 0}, {'c', 200, 100, 0}}),
       .client = "G0-200 D200-300 G300-500 D500-1500",
       .client_before_finish = "G0-200 D200-300",
       .server = "",
       .max_buffered = 1000},
      {.name = "buffer bound with many small segments far ahead",
       .steps = cat(cat(handshake(), run('c', 5000, 9000, 10)), {{'c', 0, 5000, 0}}),
       .client = "G0-5000 D5000-9000",
       .server = "",
       .max_buffered = 1000},
  });
}

TEST_CASE("TcpTracker starts connections whose handshake was not captured") {
  run_cases({
      {.name = "mid-stream start: offset 0 is the first byte seen from each side",
       .steps = {{'s', 1000, 100, A, 5000}, {'c', 5000, 50, A, 1100}, {'s', 1100, 100, A, 5050}},
       .client = "D0-50",
       .server = "D0-200",
       .first = 's',
       .syn_seen = false,
       .client_shift = 5000,
       .server_shift = 1000},
      {.name = "mid-stream start with a bare ACK first",
       .steps = {{'c', 5000, 0, A, 1000}, {'s', 1000, 100, A, 5000}, {'c', 5000, 50, A, 1100}},
       .client = "D0-50",
       .server = "D0-100",
       .syn_seen = false,
       .client_shift = 5000,
       .server_shift = 1000},
      {.name = "mid-stream start: bytes before the first one seen are dropped",
       .steps = {{'s', 1000, 100, A, 5000}, {'s', 900, 100, A, 5000}, {'s', 1100, 50, A, 5000}},
       .client = "",
       .server = "D0-150",
       .first = 's',
       .syn_seen = false,
       .server_shift = 1000,
       .retransmitted = 100},
      {.name = "SYN/ACK-only start: the client is endpoint[0], offset 0 follows its SYN",
       .steps = {{'s', 0, 0, S | A, 0}, {'c', 0, 0, A, 0}, {'c', 100, 100, A, 0}, {'c', 0, 100, A, 0}, {'s', 0, 50, A, 200}},
       .client = "D0-200",
       .server = "D0-50",
       .syn_seen = false,
       .syn_ack_seen = true},
  });
}

TEST_CASE("TcpTracker reports FIN and RST") {
  run_cases({
      {.name = "FIN before the bytes it follows; one FIN then end of capture closes as fin",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 200, 0, F}, {'c', 100, 100, 0}}),
       .client = "D0-200 F",
       .client_before_finish = "D0-200 F",
       .server = "",
       .close = "fin"},
      {.name = "FIN after a hole the peer acknowledged",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 200, 0, F}, {'s', 0, 0, A, 201}}),
       .client = "D0-100 G100-200 F",
       .client_before_finish = "D0-100 G100-200 F",
       .server = "",
       .close = "fin"},
      {.name = "FIN on data segments, retransmitted FIN, close at the second FIN",
       .steps = cat(handshake(), {{'c', 0, 100, F | A, 0}, {'c', 0, 100, F | A, 0}, {'s', 0, 10, F | A, 101}}),
       .client = "D0-100 F",
       .server = "D0-10 F",
       .close = "fin",
       .closes_before_finish = true,
       .retransmitted = 100},
      {.name = "RST flushes held bytes (holes become gaps) and closes; later segments dropped",
       .steps = cat(handshake(), {{'c', 0, 100, 0}, {'c', 200, 100, 0}, {'s', 0, 0, R | A, 100}, {'c', 300, 100, 0}}),
       .client = "D0-100 G100-200 D200-300",
       .server = "",
       .close = "rst",
       .closes_before_finish = true},
      {.name = "FIN from one side, RST from the other",
       .steps = cat(handshake(), {{'c', 0, 10, F | A, 0}, {'s', 0, 0, R, 0}}),
       .client = "D0-10 F",
       .server = "",
       .close = "rst",
       .closes_before_finish = true},
  });
}

TEST_CASE("CloseReason names") {
  CHECK(std::string(to_string(CloseReason::fin)) == "fin");
  CHECK(std::string(to_string(CloseReason::rst)) == "rst");
  CHECK(std::string(to_string(CloseReason::idle_timeout)) == "idle_timeout");
  CHECK(std::string(to_string(CloseReason::evicted)) == "evicted");
  CHECK(std::string(to_string(CloseReason::end_of_capture)) == "end_of_capture");
  CHECK(std::string(to_string(CloseReason::reused)) == "reused");
}

}  // namespace tcp_test
