// 7. Verdicts on connections that cannot be decrypted, with the reason and fix
// a person reads: (EC)DHE and TLS 1.3 without a key log, a wrong key (bound or
// unbound), no key, a handshake before the capture started, a suite tlsring
// cannot decrypt; and the server port: 3000, or anything else.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const RecordedConnection& only_connection(const Decryption& run, const testgen::GeneratedScenario& scenario) {
  REQUIRE(scenario.connections.size() == 1);
  const RecordedConnection* got = find_connection(run, scenario.connections[0]);
  REQUIRE(got != nullptr);
  CHECK(got->ends == 1);
  return *got;
}

// A second RSA key and certificate, not the server's.
fs::path write_other_key(const fs::path& dir) {
  auto other = testgen::ServerCredentials::generate("some-other-server", 2048);
  REQUIRE(other.ok());
  const fs::path path = dir / "other.key.pem";
  REQUIRE(other->write_key_pem(path).ok());
  return path;
}

}  // namespace

TEST_CASE("Verdict not_rsa_key_exchange: ECDHE and TLS 1.3 without a key log, RSA key given", "[e2e][verdicts]") {
  struct Row {
    testgen::TlsVersion version;
    const char* ciphers;
  };
  const Row rows[] = {{testgen::TlsVersion::tls1_2, "ECDHE-RSA-AES128-GCM-SHA256"},
                      {testgen::TlsVersion::tls1_2, "ECDHE-RSA-CHACHA20-POLY1305"},
                      {testgen::TlsVersion::tls1_0, "ECDHE-RSA-AES256-SHA"},
                      {testgen::TlsVersion::tls1_3, ""}};
  for (const auto& row : rows) {
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path(), row.ciphers);
    config.specs[0].tls.version = row.version;
    const auto scenario = generate_ok(config);
    const std::string cipher = scenario.connections[0].cipher;  // IANA name, from OpenSSL
    INFO(scenario.connections[0].version << " " << cipher);
    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::not_rsa_key_exchange);
    CHECK(contains(got.report.reason, cipher));
    CHECK(contains(got.report.reason, ", and no key log was given"));
    CHECK(contains(got.report.fix, "capture a key log (SSLKEYLOGFILE) on the client or server during the capture and "
                                   "give it (--keylog, or decrypt.keylogs in the service), or "));
    CHECK(got.report.cipher_suite == suite_id(cipher));
    CHECK(got.c2s().empty());
    CHECK(got.s2c().empty());
  }
}

// A user who gave a key log, but one that holds other sessions' secrets, is
// told that (with the session's client random to look for), not to capture one.
TEST_CASE("Verdict not_rsa_key_exchange: a key log given that holds only other sessions' secrets says so",
          "[e2e][verdicts]") {
  for (const auto version : {testgen::TlsVersion::tls1_2, testgen::TlsVersion::tls1_3}) {
    TempDir dir;
    auto config_for = [&](const char* name) {
      testgen::ScenarioConfig config = base_config(dir.path() / name, "ECDHE-RSA-AES128-GCM-SHA256");
      config.specs[0].tls.version = version;
      return config;
    };
    const auto scenario = generate_ok(config_for("this"));
    const auto other = generate_ok(config_for("other"));
    const std::string client_random = scenario.connections[0].client_random;
    REQUIRE(client_random.size() == 64);
    REQUIRE(other.connections[0].client_random != client_random);
    REQUIRE(!other.keylog.empty());
    // The client randoms of the other key log's lines, as its writer (OpenSSL) wrote them.
    std::set<std::string> other_randoms;
    std::ifstream lines(other.keylog);
    for (std::string label, random, secret; lines >> label >> random >> secret;) other_randoms.insert(random);
    REQUIRE(other_randoms.size() == 1);
    REQUIRE(other_randoms.count(client_random) == 0);
    INFO(scenario.connections[0].version);

    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
    REQUIRE(keys.key_log().add_file(other.keylog).ok());
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::not_rsa_key_exchange);
    CHECK(contains(got.report.reason, ", and the key log(s) given hold secrets for 1 other session(s), none for "
                                      "this one (its client random is " + client_random + ")"));
    CHECK(got.report.fix.starts_with("give the key log that this connection's client or server wrote while it ran "
                                     "(SSLKEYLOGFILE): the one given holds other sessions' secrets"));
    CHECK(got.c2s().empty());
  }
}

TEST_CASE("Verdict not_rsa_key_exchange: a key log of only RSA premaster lines says it has none by client random",
          "[e2e][verdicts]") {
  TempDir dir;
  const auto scenario = generate_ok(base_config(dir.path(), "ECDHE-RSA-AES128-GCM-SHA256"));
  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_text("RSA 0011223344556677 " + std::string(96, 'a') + "\n", "rsa-only.log").ok());
  auto run = decrypt_files(keys, capture_paths(scenario));
  const RecordedConnection& got = only_connection(*run, scenario);
  INFO(describe(got));
  CHECK(got.report.verdict == decrypt::Verdict::not_rsa_key_exchange);
  CHECK(contains(got.report.reason, ", and the key log(s) given hold no secrets by client random (only RSA premaster "
                                    "or Session-ID lines), which this session needs (its client random is " +
                                        scenario.connections[0].client_random + ")"));
}

TEST_CASE("Verdict not_rsa_key_exchange: a key log given that holds nothing yet, and secrets of earlier runs only",
          "[e2e][verdicts]") {
  TempDir dir;
  const auto scenario = generate_ok(base_config(dir.path(), "ECDHE-RSA-AES128-GCM-SHA256"));
  const std::string this_one = "(its client random is " + scenario.connections[0].client_random + ")";
  SECTION("a key log given, empty (the client that should write it never did)") {
    decrypt::KeyStore keys;
    keys.note_key_logs_given(1);
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::not_rsa_key_exchange);
    CHECK(contains(got.report.reason, ", and the key log(s) given hold no secrets " + this_one));
    CHECK(contains(got.report.fix, "make the client or server write its key log while it runs: SSLKEYLOGFILE set in "
                                   "its environment before it starts"));
  }
  SECTION("no key log given, only the secrets a service's earlier runs recovered: not blamed on a key log") {
    decrypt::KeyStore keys;
    REQUIRE(keys.earlier_secrets()
                .add_text("CLIENT_RANDOM " + std::string(64, 'c') + " " + std::string(96, 'd') + "\n", "keys.log")
                .ok());
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::not_rsa_key_exchange);
    CHECK(contains(got.report.reason, ", and no key log was given"));
  }
}

TEST_CASE("Verdicts key_mismatch and no_key: a key that is not the server's, bound and unbound", "[e2e][verdicts]") {
  TempDir dir;
  const auto scenario = generate_ok(base_config(dir.path()));
  const fs::path other = write_other_key(dir.path());
  const auto server = to_endpoint(scenario.connections[0].server);

  SECTION("bound to the server: key_mismatch") {
    decrypt::KeyStore keys;
    keys.add_bound_key(server, load_key(other));
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::key_mismatch);
    CHECK(contains(got.report.reason, "does not belong to the certificate"));
    CHECK(contains(got.report.reason, "10.1.0.1:3000"));
    CHECK_FALSE(got.report.fix.empty());
    CHECK(got.c2s().empty());
    CHECK(got.s2c().empty());
  }
  SECTION("unbound: no_key, none of the keys matches") {
    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(other));
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::no_key);
    CHECK(contains(got.report.reason, "none of the keys"));
    CHECK(contains(got.report.fix, "--key 10.1.0.1:3000"));
    CHECK(got.c2s().empty());
  }
  SECTION("the right key bound to another server, the wrong one unbound: no_key") {
    decrypt::KeyStore keys;
    net::Endpoint elsewhere = server;
    elsewhere.port = 443;
    keys.add_bound_key(elsewhere, load_key(scenario.key_pem));
    keys.add_unbound_key(load_key(other));
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::no_key);
    CHECK(contains(got.report.fix, "--key 10.1.0.1:3000"));
  }
}

TEST_CASE("Server port 3000 and others: a key bound to IP:3000 decrypts, no key gives no_key naming --key IP:PORT",
          "[e2e][verdicts]") {
  for (std::uint16_t port : {std::uint16_t{3000}, std::uint16_t{8443}}) {
    INFO("server port " << port);
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path(), "AES256-GCM-SHA384", 2);
    config.network.server_port = port;
    config.network.server_ip = "192.0.2.30";
    const auto scenario = generate_ok(config);
    const std::string where = "192.0.2.30:" + std::to_string(port);
    {
      INFO("key bound to " << where);
      decrypt::KeyStore keys;
      net::Endpoint bound = to_endpoint(scenario.connections[0].server);
      REQUIRE(bound.to_string() == where);
      keys.add_bound_key(bound, load_key(scenario.key_pem));
      auto run = decrypt_files(keys, capture_paths(scenario));
      for (const auto& c : scenario.connections) check_exact(*run, c);
    }
    {
      INFO("no key at all");
      decrypt::KeyStore keys;
      auto run = decrypt_files(keys, capture_paths(scenario));
      for (const auto& c : scenario.connections) {
        const RecordedConnection* got = find_connection(*run, c);
        REQUIRE(got != nullptr);
        INFO(describe(*got));
        CHECK(got->report.verdict == decrypt::Verdict::no_key);
        CHECK(contains(got->report.reason, where));
        CHECK(contains(got->report.fix, "--key " + where));
        CHECK(got->c2s().empty());
        CHECK(got->s2c().empty());
      }
    }
  }
}

TEST_CASE("Verdict handshake_not_captured: the capture starts after the TLS handshake", "[e2e][verdicts]") {
  // Without the TCP handshake, the generator's TLS 1.2 RSA connection starts with
  // 7 segments before the first application data (tshark: Client Hello, ACK,
  // Server Hello/Certificate/Done, Client Key Exchange/CCS/Finished, ACK, New
  // Session Ticket/CCS/Finished, ACK); with it, SYN, SYN-ACK and ACK come first.
  for (bool tcp_handshake : {false, true}) {
    INFO("TCP handshake generated (and dropped) " << tcp_handshake);
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path());
    config.specs[0].traffic.exchanges = 10;
    config.network.tcp_handshake = tcp_handshake;
    config.impairments.drop_first = tcp_handshake ? 10 : 7;
    const auto scenario = generate_ok(config);
    REQUIRE_FALSE(scenario.connections[0].impairments.syn_captured);
    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(scenario.key_pem));
    auto run = decrypt_files(keys, capture_paths(scenario));
    const RecordedConnection& got = only_connection(*run, scenario);
    INFO(describe(got));
    CHECK(got.report.verdict == decrypt::Verdict::handshake_not_captured);
    CHECK(contains(got.report.reason, "before the capture started"));
    CHECK(contains(got.report.fix, "restart"));
    CHECK(got.c2s().empty());
    CHECK(got.s2c().empty());
  }
}

TEST_CASE("Verdict unsupported_cipher: an RSA suite whose cipher tlsring does not decrypt (ARIA)", "[e2e][verdicts]") {
  TempDir dir;
  const auto scenario = generate_ok(base_config(dir.path(), "ARIA128-GCM-SHA256"));
  const std::string cipher = scenario.connections[0].cipher;
  REQUIRE(cipher == "TLS_RSA_WITH_ARIA_128_GCM_SHA256");
  decrypt::KeyStore keys;
  keys.add_unbound_key(load_key(scenario.key_pem));
  auto run = decrypt_files(keys, capture_paths(scenario));
  const RecordedConnection& got = only_connection(*run, scenario);
  INFO(describe(got));
  CHECK(got.report.verdict == decrypt::Verdict::unsupported_cipher);
  CHECK(contains(got.report.reason, cipher));
  CHECK_FALSE(got.report.fix.empty());
}
