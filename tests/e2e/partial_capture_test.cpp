// Captures that hold only part of a connection's bytes: the capture's snap
// length cut packets short (tcpdump -s 96 and the like), a segment of the
// handshake was lost, or only one direction was captured (a filter on
// "dst port", a mirror port copying one direction). The verdict says which,
// and never blames the key for it.
//
// The connections come from the generator's real OpenSSL client and server;
// the packets cut or left out are counted from the capture files themselves
// (each record's captured and original lengths, the frame's TCP ports), not
// from the core.
#include <catch2/catch.hpp>

#include <optional>

#include "core/capture/capture_reader.h"
#include "core/decrypt/verdict.h"
#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

namespace {

// Frames as the generator writes them: Ethernet, IPv4 and TCP without options.
constexpr std::size_t kPortsAt = 14 + 20;
constexpr std::size_t kFrameHeaders = 14 + 20 + 20;

std::uint16_t port_at(std::span<const std::uint8_t> frame, std::size_t at) {
  return static_cast<std::uint16_t>((frame[at] << 8) | frame[at + 1]);
}

bool of_client(std::span<const std::uint8_t> frame, std::uint16_t client_port) {
  return frame.size() >= kPortsAt + 4 &&
         (port_at(frame, kPortsAt) == client_port || port_at(frame, kPortsAt + 2) == client_port);
}

// Packets of the capture whose captured bytes are fewer than their original
// length; only those of the connection from `client_port`, when given.
std::size_t packets_cut_short(const fs::path& file, std::optional<std::uint16_t> client_port = std::nullopt) {
  auto reader = capture::CaptureReader::open(file);
  REQUIRE(reader.ok());
  std::size_t cut = 0;
  for (;;) {
    const capture::CaptureEvent event = (*reader)->next();
    if (event.kind != capture::CaptureEvent::Kind::packet) break;
    const auto& packet = event.packet;
    if (client_port && !of_client(packet.data, *client_port)) continue;
    if (packet.data.size() < packet.original_length) ++cut;
  }
  return cut;
}

// Copies `from` to `to` without the `nth` (0-based) server-to-client frame
// that carries data; returns that frame's TCP payload length.
std::size_t copy_without_server_segment(const fs::path& from, const fs::path& to, std::uint16_t server_port,
                                        std::size_t nth) {
  std::size_t seen = 0;
  std::size_t dropped = 0;
  copy_capture_without(from, to, [&](const capture::CapturePacket& packet) {
    REQUIRE(packet.data.size() >= kFrameHeaders);
    // The TCP header's length is its data offset (RFC 9293 §3.1): the SYN/ACK carries options.
    const std::size_t payload = packet.data.size() - kPortsAt - 4 * (packet.data[kPortsAt + 12] >> 4);
    const bool server_data = port_at(packet.data, kPortsAt) == server_port && payload > 0;
    if (!server_data || seen++ != nth) return false;
    dropped = payload;
    return true;
  });
  REQUIRE(dropped > 0);
  return dropped;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The server's key, bound to its address.
void bind_server_key(decrypt::KeyStore& keys, const testgen::GeneratedScenario& scenario) {
  keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
}

// `file` decrypted with the scenario's server key bound: the report of its first connection.
RecordedConnection decrypt_first_connection(const testgen::GeneratedScenario& scenario, const fs::path& file) {
  decrypt::KeyStore keys;
  bind_server_key(keys, scenario);
  auto run = decrypt_files(keys, {file});
  const RecordedConnection* got = find_connection(*run, scenario.connections.at(0));
  REQUIRE(got != nullptr);
  return *got;
}

}  // namespace

TEST_CASE("Snap length: hellos cut short are blamed on the snap length, not on packet loss", "[e2e][partial]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path(), "AES128-GCM-SHA256", 2);
  config.output.snaplen = 96;  // tcpdump's old default: 42 bytes of TCP payload at most
  const auto scenario = generate_ok(config);
  const fs::path file = capture_paths(scenario).at(0);
  const std::size_t cut_in_file = packets_cut_short(file);
  REQUIRE(cut_in_file > 0);

  decrypt::KeyStore keys;
  bind_server_key(keys, scenario);
  auto run = decrypt_files(keys, {file});
  REQUIRE(run->files.size() == 1);
  bool warned = false;
  for (const auto& warning : run->files[0].warnings) {
    warned = warned || contains(warning, std::to_string(cut_in_file) +
                                             " TCP packet(s) were cut short by the capture's snap length");
  }
  CHECK(warned);

  for (const auto& c : scenario.connections) {
    const RecordedConnection* got = find_connection(*run, c);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    const std::size_t cut = packets_cut_short(file, c.client.port);
    REQUIRE(cut > 0);
    CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
    CHECK(contains(got->report.reason, "the TLS hello messages of this connection were cut short by the capture's "
                                       "snap length (it cut " + std::to_string(cut) + " packet(s) of this connection)"));
    CHECK_FALSE(contains(got->report.reason, "lost in the capture"));
    CHECK(got->report.fix == decrypt::kFixSnapLength);
  }
}

TEST_CASE("Snap length: a certificate or key exchange cut short is not blamed on the key", "[e2e][partial]") {
  TempDir dir;
  // 400 bytes keep the ClientHello whole, and cut the server's Certificate flight.
  testgen::ScenarioConfig config = base_config(dir.path() / "cut");
  config.output.snaplen = 400;
  const auto scenario = generate_ok(config);
  const fs::path file = capture_paths(scenario).at(0);
  REQUIRE(packets_cut_short(file, scenario.connections[0].client.port) > 0);

  // The same connection captured whole decrypts with the key: it is the right one.
  const auto whole = generate_ok(base_config(dir.path() / "whole"));
  CHECK(decrypt_first_connection(whole, capture_paths(whole).at(0)).report.verdict == decrypt::Verdict::decrypted);

  SECTION("an unbound key cannot be matched to a certificate that was not captured") {
    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(scenario.key_pem));
    auto run = decrypt_files(keys, {file});
    const RecordedConnection* got = find_connection(*run, scenario.connections[0]);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->report.verdict == decrypt::Verdict::no_key);
    CHECK(contains(got->report.reason, "the server's Certificate message of this handshake is not in the capture"));
    CHECK(contains(got->report.fix, "--key " + to_endpoint(scenario.connections[0].server).to_string() + "=FILE"));
    CHECK(contains(got->report.fix, "capture whole packets"));
  }
  SECTION("a bound key: Finished over messages cut short does not verify, and the key is not blamed") {
    const RecordedConnection got = decrypt_first_connection(scenario, file);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::handshake_not_captured);
    CHECK(contains(got.report.reason, "the Finished message of this session does not verify, but its handshake was "
                                      "not captured whole (the capture's snap length cut"));
    CHECK(got.report.fix == decrypt::kFixSnapLength);
  }
}

TEST_CASE("Snap length: records cut short leave a partly decrypted connection, the gaps blamed on the snap length",
          "[e2e][partial]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs[0].traffic.bulk_server_to_client = 100'000;  // 16 KB records over full-sized segments
  config.output.snaplen = 1200;  // the handshake fits, full-sized segments do not
  const auto scenario = generate_ok(config);
  const auto& c = scenario.connections[0];
  const fs::path file = capture_paths(scenario).at(0);
  const std::size_t cut = packets_cut_short(file, c.client.port);
  REQUIRE(cut > 0);

  const RecordedConnection got = decrypt_first_connection(scenario, file);
  INFO(describe(got));
  CHECK(got.report.verdict == decrypt::Verdict::partially_decrypted);
  CHECK(contains(got.report.reason, "bytes not captured: the capture's snap length cut " + std::to_string(cut) +
                                        " packet(s) short)"));
  CHECK(got.report.fix == decrypt::kFixSnapLength);
  CHECK(got.report.finished_verified);
  // What was decrypted is what was sent, in order.
  const auto sent = sent_plaintext(c);
  std::size_t where = 0;
  CHECK(records_in_order(got.records[0], sent[0], &where));
  CHECK(records_in_order(got.records[1], sent[1], &where));
  CHECK_FALSE(got.records[1].empty());
}

TEST_CASE("Lost handshake bytes: Finished over a certificate with a hole does not verify, blamed on the loss",
          "[e2e][partial]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.network.mss = 300;  // the server's Certificate record spans several segments
  const auto scenario = generate_ok(config);
  const auto& c = scenario.connections[0];
  // The second server segment: the middle of the Certificate (the ServerHello is in the first).
  const fs::path lossy = dir.path() / "lossy.pcapng";
  const std::size_t lost = copy_without_server_segment(capture_paths(scenario).at(0), lossy, c.server.port, 1);

  const RecordedConnection got = decrypt_first_connection(scenario, lossy);
  INFO(describe(got));
  CHECK(got.report.verdict == decrypt::Verdict::handshake_not_captured);
  CHECK(contains(got.report.reason, "the Finished message of this session does not verify, but its handshake was "
                                    "not captured whole (" + std::to_string(lost) + " bytes of it were lost in the "
                                    "capture)"));
  CHECK(got.report.fix == decrypt::kFixCaptureLoss);
}

TEST_CASE("One direction captured: said so, with the filter or mirror port to fix", "[e2e][partial]") {
  TempDir dir;
  const auto scenario = generate_ok(base_config(dir.path(), "AES128-GCM-SHA256", 2));
  const fs::path file = capture_paths(scenario).at(0);
  const std::uint16_t server_port = scenario.connections[0].server.port;
  const std::string port = std::to_string(server_port);
  for (const bool keep_client_side : {true, false}) {
    INFO((keep_client_side ? "client->server only" : "server->client only"));
    // Every packet the other side sent is left out, acknowledgements included.
    const fs::path one_way = dir.path() / (keep_client_side ? "c2s.pcapng" : "s2c.pcapng");
    copy_capture_without(file, one_way, [&](const capture::CapturePacket& packet) {
      return (port_at(packet.data, kPortsAt) == server_port) == keep_client_side;
    });
    decrypt::KeyStore keys;
    bind_server_key(keys, scenario);
    auto run = decrypt_files(keys, {one_way});
    for (const auto& c : scenario.connections) {
      const RecordedConnection* got = find_connection(*run, c);
      REQUIRE(got != nullptr);
      INFO(describe(*got));
      const net::Endpoint silent = to_endpoint(keep_client_side ? c.server : c.client);
      CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
      CHECK(contains(got->report.reason, "the capture holds one direction of this connection only: not one packet "
                                         "that the " + std::string(keep_client_side ? "server" : "client") + " (" +
                                             silent.to_string() + ") sent was captured"));
      CHECK(contains(got->report.fix, "capture both directions: a capture filter that matches the server port both "
                                      "ways (tcp port " + port + ", not dst port " + port + ")"));
      CHECK(got->c2s().empty());
      CHECK(got->s2c().empty());
    }
  }
}
