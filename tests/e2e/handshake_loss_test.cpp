// Handshake messages lost by the capture (TLS 1.2, RSA key exchange): a full
// handshake whose ClientKeyExchange segment was not captured is said to be
// exactly that, never taken for a resumption; resumptions by session ID and by
// ticket stay resumptions, also when their ServerHello segment was not captured.
// TLS 1.3 and TLS 1.2 ECDHE with a key log: a lost ClientHello (whose random
// indexes the key log) or ServerHello is said to be lost, not blamed on the
// server's key exchange.
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
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint8_t kServerHello = 2;
constexpr std::uint8_t kClientKeyExchange = 16;
// Ethernet, IPv4 and TCP headers of a data segment as FrameBuilder writes them (no TCP options).
constexpr std::size_t kFrameHeaders = 14 + 20 + 20;
// The first bytes of a ServerHello (its random) or a ClientKeyExchange (the
// encrypted premaster): no other frame of the capture carries them.
constexpr std::size_t kNeedleSize = 40;

testgen::TlsContextPair make_contexts(Resumption mode, testgen::TlsVersion version = testgen::TlsVersion::tls1_2,
                                      const char* ciphers = "AES128-GCM-SHA256") {
  auto server = testgen::ServerCredentials::shared();
  REQUIRE(server.ok());
  testgen::TlsOptions options;
  options.version = version;
  options.ciphers = ciphers;
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
                                     SSL_SESSION* resume = nullptr, const char* version = "TLSv1.2") {
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
  REQUIRE(result->version == version);
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
  std::vector<std::size_t> dropped(needles.size(), 0);
  copy_capture_without(from, to, [&](const capture::CapturePacket& packet) {
    bool leave_out = false;
    for (std::size_t i = 0; i < needles.size(); ++i) {
      if (std::search(packet.data.begin(), packet.data.end(), needles[i].begin(), needles[i].end()) !=
          packet.data.end()) {
        REQUIRE(dropped[i] == 0);  // one frame carries it
        dropped[i] = packet.data.size() - kFrameHeaders;
        leave_out = true;
      }
    }
    return leave_out;
  });
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

// The connections of `cases` written to `complete`, and again to `lossy`
// without the frame that carries each case's lost message.
struct Captures {
  std::vector<WrittenConnection> written;  // by case
  std::vector<std::size_t> lost;           // TCP payload bytes of each frame left out, by case with a loss
};
Captures write_captures(const std::vector<Case>& cases, const fs::path& complete, const fs::path& lossy) {
  std::vector<const testgen::TlsConnectionResult*> connections;
  for (const Case& c : cases) connections.push_back(c.tls);
  Captures out;
  out.written = write_capture(complete, connections);
  std::vector<Bytes> needles;
  for (const Case& c : cases) {
    if (!c.lost_message) continue;
    const auto from = *c.lost_message == kServerHello ? testgen::Direction::server_to_client
                                                      : testgen::Direction::client_to_server;
    needles.push_back(message_start(c.tls->wire[testgen::index_of(from)], *c.lost_message));
  }
  out.lost = copy_without(complete, lossy, needles);
  return out;
}

// The connection lost one frame (`lost` TCP payload bytes, sent `direction`,
// "client->server"), which carried a message its keys depend on: not decrypted,
// not resumed, and the reason says `what` was lost and how many bytes.
const RecordedConnection& check_message_lost(const Decryption& run, const WrittenConnection& w,
                                             const std::string& what, const char* direction, std::size_t lost) {
  const RecordedConnection* got = find_connection(run, w.client, w.server);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  CHECK(got->report.verdict == decrypt::Verdict::handshake_not_captured);
  CHECK(got->report.resumed == decrypt::Resumption::no);
  CHECK(got->report.gaps == 1);
  CHECK(got->report.gap_bytes == lost);
  CHECK_THAT(got->report.reason,
             Catch::Contains(what + " was lost in the capture") &&
                 Catch::Contains(std::to_string(lost) + " bytes of " + direction + " data are missing"));
  CHECK_THAT(got->report.fix, Catch::Contains("packet loss") && Catch::Contains("capture buffer"));
  CHECK(got->c2s().empty());
  CHECK(got->s2c().empty());
  CHECK(got->ends == 1);
  return *got;
}

// The connection lost the frame with its ClientKeyExchange: a full handshake
// whose key exchange was not captured.
void check_key_exchange_lost(const Decryption& run, const WrittenConnection& w, std::size_t lost) {
  check_message_lost(run, w, "key exchange message (ClientKeyExchange) of this full handshake", "client->server",
                     lost);
}

// The connection lost the frame with its ClientHello or ServerHello: whatever
// the key material, it is the loss that keeps the connection secret.
void check_hello_lost(const Decryption& run, const WrittenConnection& w, std::uint8_t hello, std::size_t lost) {
  const bool client_hello = hello == kClientHello;
  const RecordedConnection& got =
      check_message_lost(run, w, std::string("the ") + (client_hello ? "ClientHello" : "ServerHello") +
                                     " of this connection",
                         client_hello ? "client->server" : "server->client", lost);
  if (client_hello) {
    INFO(describe(got));
    CHECK_THAT(got.report.reason, Catch::Contains("client random, which") &&
                                      Catch::Contains("the key log is indexed by, is unknown"));
  }
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
  const fs::path complete = dir.path() / "complete.pcapng";
  const fs::path lossy = dir.path() / "lossy.pcapng";
  const auto [written, lost] = write_captures(cases, complete, lossy);

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
        // Without the ClientHello a resumption cannot say by what; with the
        // server's first flight lost as well, not even that it is one.
        const bool client_hello_lost = lost[0] == 0;
        CHECK((got->report.resumed == subject.resumed || got->report.resumed == R::no ||
               (client_hello_lost && subject.resumed != R::no && got->report.resumed == R::session_id_or_ticket)));
        if (lost == std::vector<std::size_t>{0} && subject.resumed != R::no) {
          CHECK(got->report.resumed == R::session_id_or_ticket);
        }
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

TEST_CASE("TLS 1.3 and TLS 1.2 ECDHE with a key log: a lost ClientHello or ServerHello is handshake_not_captured, "
          "not not_rsa_key_exchange",
          "[e2e][loss][keylog][verdicts]") {
  const auto tls13 = make_contexts(Resumption::none, testgen::TlsVersion::tls1_3, "");
  const auto ecdhe = make_contexts(Resumption::none, testgen::TlsVersion::tls1_2, "ECDHE-RSA-AES128-GCM-SHA256");
  const auto tls13_client_hello_lost = connect(tls13, 31, nullptr, "TLSv1.3");
  const auto tls13_server_hello_lost = connect(tls13, 32, nullptr, "TLSv1.3");
  const auto tls13_intact = connect(tls13, 33, nullptr, "TLSv1.3");
  const auto ecdhe_client_hello_lost = connect(ecdhe, 34);
  const auto ecdhe_intact = connect(ecdhe, 35);
  // The server wants P-256, the client offers X25519 first: a HelloRetryRequest,
  // and a second ClientHello with the first one's random (RFC 8446 §4.1.2).
  const auto retry = make_contexts(Resumption::none, testgen::TlsVersion::tls1_3, "");
  REQUIRE(SSL_CTX_set1_groups_list(retry.client(), "X25519:P-256") == 1);
  REQUIRE(SSL_CTX_set1_groups_list(retry.server(), "P-256") == 1);
  const auto retry_first_client_hello_lost = connect(retry, 36, nullptr, "TLSv1.3");

  using R = decrypt::Resumption;
  const std::vector<Case> cases = {
      {"TLS 1.3, ClientHello lost", &tls13_client_hello_lost, R::no, kClientHello},
      {"TLS 1.3, ServerHello lost", &tls13_server_hello_lost, R::no, kServerHello},
      {"TLS 1.3, every segment captured", &tls13_intact, R::no, std::nullopt},
      {"TLS 1.2 ECDHE, ClientHello lost", &ecdhe_client_hello_lost, R::no, kClientHello},
      {"TLS 1.2 ECDHE, every segment captured", &ecdhe_intact, R::no, std::nullopt},
      {"TLS 1.3 with a HelloRetryRequest, first ClientHello lost", &retry_first_client_hello_lost, R::no,
       kClientHello},
  };
  // Only the connection with the HelloRetryRequest has two ClientHellos.
  const auto client_hellos = [](const testgen::TlsConnectionResult& r) {
    const Bytes& c2s = r.wire[testgen::index_of(testgen::Direction::client_to_server)];
    const Bytes first = message_start(c2s, kClientHello);
    std::size_t n = 0;
    for (auto at = c2s.begin(); (at = std::search(at, c2s.end(), first.begin() + 6, first.end())) != c2s.end(); ++at) ++n;
    return n;  // the random (and what follows it) in each
  };
  REQUIRE(client_hellos(retry_first_client_hello_lost) == 2);
  REQUIRE(client_hellos(tls13_intact) == 1);
  std::string keylog;
  for (const Case& c : cases) {
    INFO(c.name);
    REQUIRE_FALSE(c.tls->resumed);
    REQUIRE_FALSE(c.tls->keylog.empty());
    keylog += c.tls->keylog;
  }

  TempDir dir;
  const fs::path complete = dir.path() / "complete.pcapng";
  const fs::path lossy = dir.path() / "lossy.pcapng";
  const auto [written, lost] = write_captures(cases, complete, lossy);

  for (unsigned workers : {1u, 2u}) {
    INFO("workers " << workers);
    {
      INFO("every segment captured, key log given: everything decrypts (the control)");
      decrypt::KeyStore keys;
      REQUIRE(keys.key_log().add_text(keylog, "keys.log").ok());
      auto run = decrypt_files(keys, {complete}, workers);
      for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(cases[i].name);
        check_decrypted(*run, written[i].client, written[i].server, sent(*cases[i].tls), cases[i].tls->version,
                        cases[i].tls->cipher);
      }
    }
    for (const bool with_key_log : {true, false}) {
      INFO("the hello segments not captured, " << (with_key_log ? "key log given" : "no key material"));
      decrypt::KeyStore keys;
      if (with_key_log) REQUIRE(keys.key_log().add_text(keylog, "keys.log").ok());
      auto run = decrypt_files(keys, {lossy}, workers);
      std::size_t next_loss = 0;
      for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(cases[i].name);
        if (&cases[i] == &cases.back()) {
          // The second ClientHello was captured: its random finds the key log.
          const RecordedConnection* got = find_connection(*run, written[i].client, written[i].server);
          REQUIRE(got != nullptr);
          INFO(describe(*got));
          ++next_loss;
          if (with_key_log) {
            CHECK(got->report.verdict == decrypt::Verdict::partially_decrypted);
            CHECK(got->c2s() == sent(*cases[i].tls)[0]);
            CHECK(got->s2c() == sent(*cases[i].tls)[1]);
          } else {
            CHECK(got->report.verdict == decrypt::Verdict::not_rsa_key_exchange);
          }
          CHECK(got->report.resumed == decrypt::Resumption::no);
          CHECK(got->report.reason.find("ClientHello") == std::string::npos);
        } else if (cases[i].lost_message) {
          check_hello_lost(*run, written[i], *cases[i].lost_message, lost[next_loss++]);
        } else if (with_key_log) {
          check_decrypted(*run, written[i].client, written[i].server, sent(*cases[i].tls), cases[i].tls->version,
                          cases[i].tls->cipher);
        } else {
          const RecordedConnection* got = find_connection(*run, written[i].client, written[i].server);
          REQUIRE(got != nullptr);
          INFO(describe(*got));
          CHECK(got->report.verdict == decrypt::Verdict::not_rsa_key_exchange);
        }
      }
    }
  }
}
