// Handshake messages lost by the capture (TLS 1.2, RSA key exchange): a full
// handshake whose ClientKeyExchange segment was not captured is said to be
// exactly that, never taken for a resumption; resumptions by session ID and by
// ticket stay resumptions, also when their ServerHello segment was not captured.
//
// The connections come from the generator's real OpenSSL client and server;
// segments are left out by what they carry (the first bytes of a handshake
// message, found in the generator's wire bytes), so the expected plaintext,
// resumption and lost byte counts come from the generator, not from the core.
#include <openssl/ssl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>

#include "core/capture/capture_reader.h"
#include "core/capture/capture_writer.h"
#include "tests/e2e/custom_traffic.h"
#include "tests/e2e/e2e_support.h"
#include "tests/gen/rng.h"
#include "tests/gen/traffic.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::Resumption;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kChangeCipherSpecRecord = 20;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kClientKeyExchange = 16;
// Ethernet, IPv4 and TCP headers of a data segment as FrameBuilder writes them (no TCP options).
constexpr std::size_t kFrameHeaders = 14 + 20 + 20;
// The first bytes of a ServerHello (its random) or a ClientKeyExchange (the
// encrypted premaster): no other frame of the capture carries them.
constexpr std::size_t kNeedleSize = 40;

testgen::TlsContextPair make_contexts(Resumption mode) {
  auto server = testgen::ServerCredentials::shared();
  REQUIRE(server.ok());
  testgen::TlsOptions options;
  options.version = testgen::TlsVersion::tls1_2;
  options.ciphers = "AES128-GCM-SHA256";
  options.resumption = mode;
  auto pair = testgen::TlsContextPair::create(options, *server);
  REQUIRE(pair.ok());
  return std::move(*pair);
}

// The servers of the tests: one resuming by session ID, one by ticket, and
// two others (their own session cache and ticket key) whose sessions, offered
// to the first two, are refused, and a full handshake follows.
struct Servers {
  testgen::TlsContextPair by_id = make_contexts(Resumption::session_id);
  testgen::TlsContextPair by_ticket = make_contexts(Resumption::ticket);
  testgen::TlsContextPair other_by_id = make_contexts(Resumption::session_id);
  testgen::TlsContextPair other_by_ticket = make_contexts(Resumption::ticket);
};

// The servers' RSA key, written into `dir` for the decryptor.
fs::path write_server_key(const fs::path& dir) {
  auto server = testgen::ServerCredentials::shared();
  REQUIRE(server.ok());
  const fs::path key_pem = dir / "server.key.pem";
  REQUIRE(server->write_key_pem(key_pem).ok());
  return key_pem;
}

// A connection with a few CTI-like messages each way; resuming `resume` when given.
testgen::TlsConnectionResult connect(const testgen::TlsContextPair& contexts, std::uint64_t seed,
                                     SSL_SESSION* resume = nullptr) {
  testgen::Rng rng(seed);
  testgen::TrafficPlan plan;
  plan.exchanges = 3;
  plan.min_size = 50;
  plan.max_size = 2000;
  testgen::ConnectionScript script;
  script.messages = testgen::make_messages(plan, rng);
  auto result = testgen::run_tls_connection(contexts, script, resume);
  INFO((result.ok() ? std::string() : result.error().message));
  REQUIRE(result.ok());
  REQUIRE(result->version == "TLSv1.2");
  return std::move(*result);
}

// The first kNeedleSize bytes of the first handshake message of `type` in one
// direction's wire bytes: records as RFC 5246 §6.2.1 frames them, handshake
// messages (§7.4) in the clear before the ChangeCipherSpec.
Bytes message_start(const Bytes& wire, std::uint8_t type) {
  std::size_t at = 0;
  while (at + 5 <= wire.size() && wire[at] != kChangeCipherSpecRecord) {
    const std::size_t end = at + 5 + ((wire[at + 3] << 8) | wire[at + 4]);
    for (std::size_t m = at + 5; wire[at] == kHandshakeRecord && m + 4 <= end;
         m += 4 + ((wire[m + 1] << 16) | (wire[m + 2] << 8) | wire[m + 3])) {
      if (wire[m] == type && m + kNeedleSize <= wire.size()) {
        return Bytes(wire.begin() + static_cast<std::ptrdiff_t>(m),
                     wire.begin() + static_cast<std::ptrdiff_t>(m + kNeedleSize));
      }
    }
    at = end;
  }
  FAIL("no handshake message of type " << int(type) << " before the ChangeCipherSpec");
  return {};
}

// Copies capture `from` to `to` without the frames that carry one of
// `needles`; returns the TCP payload length of each frame left out, by needle.
std::vector<std::size_t> copy_without(const fs::path& from, const fs::path& to, const std::vector<Bytes>& needles) {
  auto reader = capture::CaptureReader::open(from);
  REQUIRE(reader.ok());
  auto writer = capture::CaptureWriter::create(to, capture::CaptureFormat::pcapng);
  REQUIRE(writer.ok());
  std::optional<std::uint32_t> interface_id;
  std::vector<std::size_t> dropped(needles.size(), 0);
  for (;;) {
    const capture::CaptureEvent event = (*reader)->next();
    if (event.kind == capture::CaptureEvent::Kind::end) break;
    REQUIRE(event.kind == capture::CaptureEvent::Kind::packet);
    const auto& packet = event.packet;
    bool keep = true;
    for (std::size_t i = 0; i < needles.size(); ++i) {
      if (std::search(packet.data.begin(), packet.data.end(), needles[i].begin(), needles[i].end()) !=
          packet.data.end()) {
        REQUIRE(dropped[i] == 0);  // one frame carries it
        dropped[i] = packet.data.size() - kFrameHeaders;
        keep = false;
      }
    }
    if (!keep) continue;
    if (!interface_id) {
      auto id = (*writer)->add_interface(packet.link_type);
      REQUIRE(id.ok());
      interface_id = *id;
    }
    REQUIRE((*writer)->write_packet(packet.timestamp_ns, *interface_id, packet.data).ok());
  }
  REQUIRE((*writer)->close().ok());
  for (std::size_t length : dropped) REQUIRE(length > 0);
  return dropped;
}

std::array<std::string, 2> sent(const testgen::TlsConnectionResult& r) {
  return {std::string(r.plaintext[0].begin(), r.plaintext[0].end()),
          std::string(r.plaintext[1].begin(), r.plaintext[1].end())};
}

// The client's ClientHello offers a session ID (RFC 5246 §7.4.1.2: its length
// byte follows the record header, the message header, version and random).
bool offers_session_id(const testgen::TlsConnectionResult& r) {
  const Bytes& c2s = r.wire[testgen::index_of(testgen::Direction::client_to_server)];
  return c2s.size() > 43 && c2s[43] > 0;
}

// The first bytes of the TCP payload of each data segment of the connection
// from client port `client_port`, in capture order (frames as FrameBuilder
// writes data segments: Ethernet, IPv4, TCP without options).
std::vector<Bytes> data_segment_starts(const fs::path& file, std::uint16_t client_port) {
  constexpr std::size_t kPorts = 14 + 20;
  constexpr std::size_t kFlags = kPorts + 13;
  constexpr std::size_t kStartSize = 64;
  auto reader = capture::CaptureReader::open(file);
  REQUIRE(reader.ok());
  std::vector<Bytes> starts;
  for (;;) {
    const capture::CaptureEvent event = (*reader)->next();
    if (event.kind != capture::CaptureEvent::Kind::packet) break;
    const auto f = event.packet.data;
    REQUIRE(f.size() >= kFrameHeaders);
    const auto port_at = [&](std::size_t i) { return static_cast<std::uint16_t>((f[i] << 8) | f[i + 1]); };
    const bool ours = port_at(kPorts) == client_port || port_at(kPorts + 2) == client_port;
    const bool syn_or_fin = (f[kFlags] & 0x03) != 0;
    if (!ours || syn_or_fin || f.size() == kFrameHeaders) continue;
    starts.emplace_back(f.begin() + kFrameHeaders, f.begin() + std::min(f.size(), kFrameHeaders + kStartSize));
  }
  return starts;
}

// One connection of the capture, and what it is.
struct Case {
  const char* name;
  const testgen::TlsConnectionResult* tls;
  decrypt::Resumption resumed;    // as OpenSSL negotiated it
  std::optional<std::uint8_t> lost_message;  // the handshake message whose frame the lossy capture lacks
};

// The connection lost the frame with its ClientKeyExchange (`lost` TCP payload
// bytes): a full handshake whose key exchange was not captured.
void check_key_exchange_lost(const Decryption& run, const WrittenConnection& w, std::size_t lost) {
  const RecordedConnection* got = find_connection(run, w.client, w.server);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
  CHECK(got->report.resumed == decrypt::Resumption::no);
  CHECK(got->report.gaps == 1);
  CHECK(got->report.gap_bytes == lost);
  CHECK_THAT(got->report.reason,
             Catch::Contains("key exchange message (ClientKeyExchange) of this full handshake was lost in the "
                             "capture") &&
                 Catch::Contains(std::to_string(lost) + " bytes of client->server data are missing"));
  CHECK_THAT(got->report.fix, Catch::Contains("packet loss") && Catch::Contains("capture buffer"));
  CHECK(got->c2s().empty());
  CHECK(got->s2c().empty());
  CHECK(got->ends == 1);
}

// The connection lost the frame with its ServerHello: a resumption still.
void check_server_hello_lost(const Decryption& run, const WrittenConnection& w, decrypt::Resumption resumed) {
  const RecordedConnection* got = find_connection(run, w.client, w.server);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
  CHECK(got->report.resumed == resumed);
  CHECK_THAT(got->report.reason,
             Catch::Contains("ServerHello") &&
                 Catch::Contains(resumed == decrypt::Resumption::ticket ? "resumed an earlier TLS session by session "
                                                                          "ticket"
                                                                        : "resumed an earlier TLS session by session "
                                                                          "ID"));
  CHECK(got->c2s().empty());
  CHECK(got->s2c().empty());
}

}  // namespace

TEST_CASE("A full handshake whose ClientKeyExchange was not captured is not taken for a resumption, and "
          "resumptions stay resumptions",
          "[e2e][loss][resumption][verdicts]") {
  const Servers servers;
  const auto& by_id = servers.by_id;
  const auto& by_ticket = servers.by_ticket;
  const auto foreign_id = connect(servers.other_by_id, 1);
  const auto foreign_ticket = connect(servers.other_by_ticket, 2);

  const auto fresh = connect(by_id, 11);
  const auto refused_id = connect(by_id, 12, foreign_id.session.get());
  const auto refused_ticket = connect(by_ticket, 13, foreign_ticket.session.get());
  const auto full_id = connect(by_id, 14);
  const auto resumed_id = connect(by_id, 15, full_id.session.get());
  const auto full_ticket = connect(by_ticket, 16);
  const auto resumed_ticket = connect(by_ticket, 17, full_ticket.session.get());
  const auto resumed_id_again = connect(by_id, 18, full_id.session.get());
  const auto resumed_ticket_again = connect(by_ticket, 19, full_ticket.session.get());

  using R = decrypt::Resumption;
  const std::vector<Case> cases = {
      {"full handshake, no session offered, ClientKeyExchange lost", &fresh, R::no, kClientKeyExchange},
      {"full handshake, unknown session ID refused, ClientKeyExchange lost", &refused_id, R::no, kClientKeyExchange},
      {"full handshake, foreign ticket refused, ClientKeyExchange lost", &refused_ticket, R::no, kClientKeyExchange},
      {"full handshake (session ID server)", &full_id, R::no, std::nullopt},
      {"resumption by session ID", &resumed_id, R::session_id, std::nullopt},
      {"full handshake (ticket server)", &full_ticket, R::no, std::nullopt},
      {"resumption by ticket", &resumed_ticket, R::ticket, std::nullopt},
      {"resumption by session ID, ServerHello lost", &resumed_id_again, R::session_id, kServerHello},
      {"resumption by ticket, ServerHello lost", &resumed_ticket_again, R::ticket, kServerHello},
  };
  // What OpenSSL did is what the cases say.
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(c.tls->resumed == (c.resumed != R::no));
  }
  REQUIRE_FALSE(offers_session_id(fresh));
  REQUIRE(offers_session_id(refused_id));  // the fact the old rule missed: an offer, yet a full handshake

  TempDir dir;
  std::vector<const testgen::TlsConnectionResult*> connections;
  for (const Case& c : cases) connections.push_back(c.tls);
  const fs::path complete = dir.path() / "complete.pcapng";
  const std::vector<WrittenConnection> written = write_capture(complete, connections);
  std::vector<Bytes> needles;
  for (const Case& c : cases) {
    if (!c.lost_message) continue;
    const auto from = *c.lost_message == kServerHello ? testgen::Direction::server_to_client
                                                      : testgen::Direction::client_to_server;
    needles.push_back(message_start(c.tls->wire[testgen::index_of(from)], *c.lost_message));
  }
  const fs::path lossy = dir.path() / "lossy.pcapng";
  const std::vector<std::size_t> lost = copy_without(complete, lossy, needles);

  const fs::path key_pem = write_server_key(dir.path());

  for (unsigned workers : {1u, 2u}) {
    INFO("workers " << workers);
    {
      INFO("every segment captured: everything decrypts (the control)");
      decrypt::KeyStore keys;
      keys.add_unbound_key(load_key(key_pem));
      auto run = decrypt_files(keys, {complete}, workers);
      for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(cases[i].name);
        check_decrypted(*run, written[i].client, written[i].server, sent(*cases[i].tls), cases[i].tls->version,
                        cases[i].tls->cipher, cases[i].resumed);
      }
    }
    {
      INFO("the ClientKeyExchange or ServerHello segments not captured");
      decrypt::KeyStore keys;
      keys.add_unbound_key(load_key(key_pem));
      auto run = decrypt_files(keys, {lossy}, workers);
      std::size_t next_loss = 0;
      for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(cases[i].name);
        if (cases[i].lost_message == kClientKeyExchange) {
          check_key_exchange_lost(*run, written[i], lost[next_loss++]);
        } else if (cases[i].lost_message == kServerHello) {
          ++next_loss;
          check_server_hello_lost(*run, written[i], cases[i].resumed);
        } else {
          check_decrypted(*run, written[i].client, written[i].server, sent(*cases[i].tls), cases[i].tls->version,
                          cases[i].tls->cipher, cases[i].resumed);
        }
      }
    }
  }

  {
    INFO("resumptions whose full handshake is not in the capture stay resumed_session_unknown");
    const fs::path alone = dir.path() / "resumptions-only.pcapng";
    const auto w = write_capture(alone, {&resumed_id, &resumed_ticket});
    for (unsigned workers : {1u, 2u}) {
      INFO("workers " << workers);
      decrypt::KeyStore keys;
      keys.add_unbound_key(load_key(key_pem));
      auto run = decrypt_files(keys, {alone}, workers);
      for (std::size_t i = 0; i < w.size(); ++i) {
        const RecordedConnection* got = find_connection(*run, w[i].client, w[i].server);
        REQUIRE(got != nullptr);
        INFO(describe(*got));
        CHECK(got->report.verdict == decrypt::Verdict::resumed_session_unknown);
        CHECK(got->report.resumed == (i == 0 ? R::session_id : R::ticket));
        CHECK(got->report.reason.find("full handshake is not in the capture") != std::string::npos);
        CHECK(got->c2s().empty());
        CHECK(got->s2c().empty());
      }
    }
  }
}

// Every loss of one or two of a connection's first segments (the handshake and
// the first messages): whatever the verdict, `resumed` never names the wrong
// kind of handshake, and a resumption whose full handshake is in the capture is
// never resumed_session_unknown.
TEST_CASE("One or two of the first segments lost: a full handshake is never called a resumption, nor the reverse",
          "[e2e][loss][resumption]") {
  const Servers servers;
  const auto& by_id = servers.by_id;
  const auto foreign_id = connect(servers.other_by_id, 21);
  const auto full_id = connect(by_id, 22);
  const auto full_ticket = connect(servers.by_ticket, 23);
  using R = decrypt::Resumption;
  struct Subject {
    const char* name;
    testgen::TlsConnectionResult tls;
    R resumed;
  };
  std::vector<Subject> subjects;
  subjects.push_back({"full handshake, no session offered", connect(by_id, 24), R::no});
  subjects.push_back({"full handshake, unknown session ID refused", connect(by_id, 25, foreign_id.session.get()), R::no});
  subjects.push_back({"resumption by session ID", connect(by_id, 26, full_id.session.get()), R::session_id});
  subjects.push_back({"resumption by ticket", connect(servers.by_ticket, 27, full_ticket.session.get()), R::ticket});

  TempDir dir;
  const fs::path key_pem = write_server_key(dir.path());
  for (const Subject& subject : subjects) {
    INFO(subject.name);
    REQUIRE(subject.tls.resumed == (subject.resumed != R::no));
    const fs::path complete = dir.path() / "complete.pcapng";
    // The full handshakes first: the resumptions' sessions are in the capture.
    const auto written = write_capture(complete, {&full_id, &full_ticket, &subject.tls});
    const auto starts = data_segment_starts(complete, written[2].client.port);
    REQUIRE(starts.size() >= 6);
    std::vector<std::vector<std::size_t>> losses;
    for (std::size_t a = 0; a < 6; ++a) {
      losses.push_back({a});
      for (std::size_t b = a + 1; b < 6; ++b) losses.push_back({a, b});
    }
    for (const auto& lost : losses) {
      std::vector<Bytes> needles;
      for (std::size_t i : lost) needles.push_back(starts[i]);
      const fs::path lossy = dir.path() / "lossy.pcapng";
      copy_without(complete, lossy, needles);
      for (unsigned workers : {1u, 2u}) {
        decrypt::KeyStore keys;
        keys.add_unbound_key(load_key(key_pem));
        auto run = decrypt_files(keys, {lossy}, workers);
        const RecordedConnection* got = find_connection(*run, written[2].client, written[2].server);
        REQUIRE(got != nullptr);
        INFO("data segments lost: " << lost[0] << (lost.size() > 1 ? " and " + std::to_string(lost[1]) : "")
                                    << ", workers " << workers << ": " << describe(*got));
        CHECK((got->report.resumed == subject.resumed || got->report.resumed == R::no));
        CHECK(got->report.verdict != decrypt::Verdict::resumed_session_unknown);
        if (got->report.verdict == decrypt::Verdict::decrypted ||
            got->report.verdict == decrypt::Verdict::partially_decrypted) {
          CHECK(got->report.resumed == subject.resumed);
        }
        if (subject.resumed == R::no) CHECK(got->report.reason.find("resumed") == std::string::npos);
      }
    }
  }
}
