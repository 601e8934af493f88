// TcpTracker with a handler that stops wanting a direction's bytes (what a
// TLS connection does once it knows it can never decrypt them): that
// direction is no longer reassembled, yet the connection still ends as it
// would, its FIN is reported, and the handler learns how far the stream went
// and when. Expected values come from the segments the test builds.

#include <string>
#include <vector>

#include "recording.h"

namespace tcp_test {
namespace {

using tlsring::net::kAck;
using tlsring::net::kFin;
using tlsring::net::kSyn;

// Records like RecordingHandler, and stops wanting the bytes of `skip_side`
// after the first `keep` bytes of it.
class SkippingHandler final : public RecordingHandler {
 public:
  SkippingHandler(std::shared_ptr<Recording> recording, RecordingFactory& factory, Side skip_side, std::uint64_t keep,
                  std::vector<std::pair<std::uint64_t, std::int64_t>>& skipped)
      : RecordingHandler(std::move(recording), factory), skip_side_(skip_side), keep_(keep), skipped_(skipped) {}

  void on_data(Side from, std::span<const std::uint8_t> data, std::uint64_t offset, std::int64_t ts) override {
    if (from == skip_side_) {
      CHECK(wants_bytes(from));  // nothing arrives once it said no
      received_ += data.size();
    }
    RecordingHandler::on_data(from, data, offset, ts);
  }
  bool wants_bytes(Side from) const override { return from != skip_side_ || received_ < keep_; }
  void on_bytes_skipped(Side from, std::uint64_t bytes, std::int64_t last_ns) override {
    CHECK(from == skip_side_);
    skipped_.emplace_back(bytes, last_ns);
  }

 private:
  Side skip_side_;
  std::uint64_t keep_;
  std::uint64_t received_ = 0;
  std::vector<std::pair<std::uint64_t, std::int64_t>>& skipped_;
};

class SkippingFactory final : public RecordingFactory {
 public:
  explicit SkippingFactory(Side skip_side) : skip_side_(skip_side) {}
  std::unique_ptr<ConnectionHandler> open(const ConnectionInfo& info) override {
    auto recording = std::make_shared<Recording>();
    recording->info = info;
    all.push_back(recording);
    connections.push_back(recording);
    return std::make_unique<SkippingHandler>(recording, *this, skip_side_, 100, skipped);
  }
  std::vector<std::pair<std::uint64_t, std::int64_t>> skipped;  // (bytes, last timestamp) per call

 private:
  Side skip_side_;
};

const Endpoint kClient = endpoint(10, 0, 0, 1, 40000);
const Endpoint kServer = endpoint(10, 0, 0, 2, 3000);
constexpr std::uint32_t kClientIsn = 1000;
constexpr std::uint32_t kServerIsn = 900000;

// A tracker whose handlers stop wanting the client's bytes after 100; each segment 1 us after the last.
struct Run {
  SkippingFactory factory{Side::first};
  TcpTracker tracker{factory};
  std::int64_t ts = 1000;
  void add(const Endpoint& src, const Endpoint& dst, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
           std::span<const std::uint8_t> payload = {}) {
    ts += 1000;
    tracker.add(segment(src, dst, seq, ack, flags, payload), ts);
  }
  void syn_and_syn_ack() {
    add(kClient, kServer, kClientIsn, 0, kSyn);
    add(kServer, kClient, kServerIsn, kClientIsn + 1, kSyn | kAck);
  }
};

std::span<const std::uint8_t> slice(const std::vector<std::uint8_t>& bytes, std::size_t from, std::size_t to) {
  return std::span(bytes).subspan(from, to - from);
}

TEST_CASE("TcpTracker stops reassembling a direction its handler no longer wants") {
  const std::vector<std::uint8_t> client = random_bytes(600, 1);
  const std::vector<std::uint8_t> server = random_bytes(200, 2);
  const auto c = [&](std::size_t from, std::size_t to) { return slice(client, from, to); };
  const auto s = [&](std::size_t from, std::size_t to) { return slice(server, from, to); };
  const std::uint32_t c0 = kClientIsn + 1;  // sequence number of the client's offset 0
  const std::uint32_t s0 = kServerIsn + 1;

  Run run;
  run.syn_and_syn_ack();
  run.add(kClient, kServer, c0, s0, kAck);
  run.add(kClient, kServer, c0, s0, kAck, c(0, 100));        // delivered; then the client side is cut
  run.add(kServer, kClient, s0, c0 + 100, kAck, s(0, 100));  // the server side is still delivered
  run.add(kClient, kServer, c0 + 100, s0 + 100, kAck, c(100, 200));
  run.add(kClient, kServer, c0 + 300, s0 + 100, kAck, c(300, 400));  // ahead of a hole: not held
  run.add(kClient, kServer, c0 + 100, s0 + 100, kAck, c(100, 200));  // retransmission
  run.add(kClient, kServer, c0 + 200, s0 + 100, kAck, c(200, 300));  // the hole, late: filled, not a gap
  const std::int64_t last_new_client_bytes = run.ts + 1000;
  run.add(kClient, kServer, c0 + 500, s0 + 100, kAck, c(500, 600));  // 400-500 is never captured
  run.add(kServer, kClient, s0 + 100, c0 + 600, kAck, s(100, 200));
  run.add(kServer, kClient, s0 + 200, c0 + 600, kAck | kFin);
  const std::int64_t client_fin = run.ts + 1000;
  run.add(kClient, kServer, c0 + 600, s0 + 201, kAck | kFin);  // both FINs: closes here
  REQUIRE(run.tracker.open_connections() == 0);
  run.add(kServer, kClient, s0 + 201, c0 + 601, kAck);         // late final ACK: dropped

  REQUIRE(run.factory.connections.size() == 1);
  const Recording& rec = *run.factory.connections[0];
  // The client's events: its first 100 bytes, the lost range as a gap, then the FIN.
  std::vector<std::string> client_events;
  for (const Event& e : rec.events) {
    if (e.kind == Event::Kind::close || e.side != Side::first) continue;
    const char* kind = e.kind == Event::Kind::data ? "D" : e.kind == Event::Kind::gap ? "G" : "F";
    client_events.push_back(e.kind == Event::Kind::fin ? kind
                                                       : kind + std::to_string(e.offset) + "-" +
                                                             std::to_string(e.offset + e.length));
    if (e.kind == Event::Kind::data) CHECK(std::equal(e.bytes.begin(), e.bytes.end(), client.begin()));
  }
  CHECK(client_events == std::vector<std::string>{"D0-100", "G400-500", "F"});
  CHECK(shape(rec, Side::second, server) == "D0-200 F");
  CHECK(close_reason(rec) == "fin");
  CHECK(rec.events.back().timestamp_ns == client_fin);
  // The client's stream went on from offset 100 to 600, the lost range included.
  REQUIRE(run.factory.skipped.size() == 1);
  CHECK(run.factory.skipped[0].first == 500);
  CHECK(run.factory.skipped[0].second == last_new_client_bytes);
  CHECK(run.tracker.stats().skipped_bytes == 500);
  CHECK(run.tracker.stats().gaps == 1);
  CHECK(run.tracker.stats().gap_bytes == 100);
  CHECK(run.tracker.stats().buffered_bytes == 0);
  CHECK(run.tracker.stats().retransmitted_bytes == 100);
}

TEST_CASE("TcpTracker drops the held bytes of a direction it stops reassembling") {
  const std::vector<std::uint8_t> client = random_bytes(400, 3);
  const auto c = [&](std::size_t from, std::size_t to) { return slice(client, from, to); };
  const std::uint32_t c0 = kClientIsn + 1;
  const std::uint32_t s0 = kServerIsn + 1;

  // The client side is cut by the segment that fills the hole in front of held bytes.
  Run run;
  run.syn_and_syn_ack();
  run.add(kClient, kServer, c0 + 50, s0, kAck, c(50, 100));    // held behind the hole 0-50
  run.add(kClient, kServer, c0 + 200, s0, kAck | kFin, c(200, 300));  // held behind the hole 100-200, with the FIN
  CHECK(run.tracker.stats().buffered_bytes == 150);
  run.add(kClient, kServer, c0, s0, kAck, c(0, 50));          // fills 0-50: 0-100 delivered, then the side is cut
  CHECK(run.tracker.stats().buffered_bytes == 0);
  const Recording& rec = *run.factory.connections[0];
  // The FIN behind the remaining hole is reported at once, the hole as a gap first: nothing waits for it.
  CHECK(shape(rec, Side::first, client) == "D0-100 G100-200 F");
  run.tracker.finish(run.ts + 1000);
  REQUIRE(run.factory.skipped.size() == 1);
  CHECK(run.factory.skipped[0].first == 200);  // offsets 100 to 300, the hole included
  CHECK(run.tracker.stats().gaps == 1);
  CHECK(run.tracker.stats().gap_bytes == 100);
  CHECK(close_reason(rec) == "fin");
}

}  // namespace
}  // namespace tcp_test
