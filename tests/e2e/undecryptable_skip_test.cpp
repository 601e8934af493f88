// Connections that can never be decrypted are no longer reassembled once that
// is known (application data before any hello: the handshake was not
// captured), yet their report stays what it was: verdict, first and last
// seen; and the other connections of the same capture are decrypted byte for
// byte. The expected times come from the capture file itself, read here
// packet by packet, and the plaintext from the generator.
#include <catch2/catch.hpp>

#include "core/capture/capture_reader.h"
#include "core/net/packet_decoder.h"
#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

namespace {

struct SeenInCapture {
  std::int64_t first_ns = 0;
  std::int64_t last_with_bytes_or_fin_ns = 0;  // where a report's last_seen lands for a connection that ends with FINs
  std::uint64_t packets = 0;
};

// The capture's packets between `client` and `server`, read without the SSL core's tracker.
SeenInCapture seen_in_capture(const std::vector<fs::path>& files, const net::Endpoint& client,
                              const net::Endpoint& server) {
  SeenInCapture seen;
  for (const fs::path& file : files) {
    auto reader = capture::CaptureReader::open(file);
    REQUIRE(reader.ok());
    for (;;) {
      capture::CaptureEvent event = reader.value()->next();
      if (event.kind == capture::CaptureEvent::Kind::end) break;
      REQUIRE(event.kind != capture::CaptureEvent::Kind::truncated);
      if (event.kind != capture::CaptureEvent::Kind::packet) continue;
      net::TcpSegment segment;
      if (net::decode_tcp(event.packet.link_type, event.packet.data, segment) != net::DecodeStatus::tcp) continue;
      const bool ours = (segment.src == client && segment.dst == server) || (segment.src == server && segment.dst == client);
      if (!ours) continue;
      if (seen.packets++ == 0) seen.first_ns = event.packet.timestamp_ns;
      if (!segment.payload.empty() || (segment.flags & net::kFin) != 0) {
        seen.last_with_bytes_or_fin_ns = event.packet.timestamp_ns;
      }
    }
  }
  return seen;
}

}  // namespace

TEST_CASE("A connection whose handshake was not captured is passed over, the others are decrypted",
          "[e2e][verdicts]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path(), "AES128-GCM-SHA256", 3);
  config.specs[0].traffic.exchanges = 40;
  config.network.tcp_handshake = true;
  // Connection 1 loses its SYN, SYN-ACK, ACK and the 7 segments of its TLS handshake
  // (see verdicts_test.cpp), so the capture picks it up at its first application data.
  config.impairments.drop_first = 10;
  config.impaired_connections = {1};
  // The connections overlap, so their packets interleave.
  config.clock.start_interval_ns = 1'000'000;
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == 3);
  const testgen::ConnectionRecord& missed = scenario.connections[1];
  REQUIRE_FALSE(missed.impairments.syn_captured);
  const SeenInCapture seen =
      seen_in_capture(capture_paths(scenario), to_endpoint(missed.client), to_endpoint(missed.server));
  REQUIRE(seen.packets > 60);  // 40 exchanges: most of the connection is there to pass over

  for (unsigned workers : {1u, 2u}) {
    INFO("workers " << workers);
    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(scenario.key_pem));
    auto run = decrypt_files(keys, capture_paths(scenario), workers);
    REQUIRE(run->sink.connections.size() == 3);
    check_exact(*run, scenario.connections[0]);
    check_exact(*run, scenario.connections[2]);

    const RecordedConnection* got = find_connection(*run, missed);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->ends == 1);
    CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
    CHECK(got->report.reason.find("before the capture started") != std::string::npos);
    CHECK(got->report.first_seen_ns == seen.first_ns);
    CHECK(got->report.last_seen_ns == seen.last_with_bytes_or_fin_ns);
    CHECK(got->report.records == 0);
    CHECK(got->report.undecrypted_records == 0);
    CHECK(got->report.gaps == 0);
    CHECK(got->report.handshakes == 0);
    CHECK(got->c2s().empty());
    CHECK(got->s2c().empty());
  }
}
