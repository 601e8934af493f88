// 1. RSA key exchange: every TLS version (1.0, 1.1, 1.2) x every RSA suite
// this libssl offers x EMS on/off x ETM on/off, decrypted with the server's key
// bound to IP:PORT, and again with the key unbound (matched by certificate).
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::TlsVersion;

namespace {

struct SuiteRow {
  const char* openssl_name;
  bool tls12_only;  // SHA-256/384 MACs and AEAD suites exist from TLS 1.2 on (RFC 5246, 5288, 6655)
  bool aead;
};

// RSA key exchange suites of this libssl (OpenSSL 3.0, Debian build). Not here:
// DES-CBC3-SHA and RC4-SHA / RC4-MD5 - this libssl does not offer them at any
// security level ("openssl ciphers -v 'DES-CBC3-SHA:RC4-SHA:@SECLEVEL=0'" says
// "no cipher match"), so no traffic can be generated with them. ARIA suites are
// left out: tlsring does not claim to decrypt ARIA.
constexpr SuiteRow kSuites[] = {
    {"AES128-SHA", false, false},        {"AES256-SHA", false, false},   {"CAMELLIA128-SHA", false, false},
    {"CAMELLIA256-SHA", false, false},   {"NULL-SHA", false, false},     {"NULL-MD5", false, false},
    {"AES128-SHA256", true, false},      {"AES256-SHA256", true, false}, {"CAMELLIA128-SHA256", true, false},
    {"CAMELLIA256-SHA256", true, false}, {"NULL-SHA256", true, false},   {"AES128-GCM-SHA256", true, true},
    {"AES256-GCM-SHA384", true, true},   {"AES128-CCM", true, true},     {"AES256-CCM", true, true},
    {"AES128-CCM8", true, true},         {"AES256-CCM8", true, true},
};

struct Combination {
  TlsVersion version;
  const SuiteRow* suite;
  bool ems;
  bool etm;
};

}  // namespace

TEST_CASE("RSA key exchange: TLS 1.0-1.2 x RSA suites x EMS x ETM, key bound and unbound", "[e2e][rsa]") {
  std::vector<Combination> combinations;
  for (TlsVersion version : {TlsVersion::tls1_0, TlsVersion::tls1_1, TlsVersion::tls1_2}) {
    for (const SuiteRow& suite : kSuites) {
      if (suite.tls12_only && version != TlsVersion::tls1_2) continue;
      for (bool ems : {true, false}) {
        // ETM (RFC 7366) changes nothing for AEAD suites: vary it for the others only.
        for (bool etm : suite.aead ? std::vector<bool>{false} : std::vector<bool>{true, false}) {
          combinations.push_back({version, &suite, ems, etm});
        }
      }
    }
  }

  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs.clear();
  for (const auto& c : combinations) {
    testgen::SessionSpec spec;
    spec.tls.version = c.version;
    spec.tls.ciphers = c.suite->openssl_name;
    spec.tls.extended_master_secret = c.ems;
    spec.tls.encrypt_then_mac = c.etm;
    // Sizes from 1 byte (CBC padding edge cases) to more than one full record.
    spec.traffic.exchanges = 3;
    spec.traffic.min_size = 1;
    spec.traffic.max_size = 2000;
    spec.traffic.bulk_server_to_client = 20000;  // a 16384-byte record and a short one
    config.specs.push_back(spec);
  }
  config.sessions = config.specs.size();
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == combinations.size());

  // What OpenSSL negotiated is what was asked for (else the table is wrong, not the core).
  for (std::size_t i = 0; i < combinations.size(); ++i) {
    INFO("combination " << i << " " << combinations[i].suite->openssl_name);
    CHECK(scenario.connections[i].cipher_openssl == combinations[i].suite->openssl_name);
  }

  for (bool bound : {true, false}) {
    INFO((bound ? "key bound to the server's IP:PORT" : "key unbound"));
    decrypt::KeyStore keys;
    if (bound) {
      keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
    } else {
      keys.add_unbound_key(load_key(scenario.key_pem));
    }
    auto run = decrypt_files(keys, capture_paths(scenario));
    CHECK(run->sink.connections.size() == combinations.size());
    for (std::size_t i = 0; i < combinations.size(); ++i) {
      const auto& combination = combinations[i];
      const auto& c = scenario.connections[i];
      INFO("EMS " << combination.ems << " ETM " << combination.etm);
      check_exact(*run, c);
      const RecordedConnection* got = find_connection(*run, c);
      REQUIRE(got != nullptr);
      INFO(describe(*got));
      CHECK(got->report.extended_master_secret == combination.ems);
      // OpenSSL negotiates ETM for every non-AEAD, non-RC4 suite, NULL ones included
      // (ssl/statem/extensions_srvr.c, tls_construct_stoc_etm).
      CHECK(got->report.encrypt_then_mac == (combination.etm && !combination.suite->aead));
      CHECK(got->report.handshakes == 1);
    }
  }
}

TEST_CASE("Two servers with their own keys (one from a PKCS#12 file), one continuous capture of two files",
          "[e2e][rsa]") {
  TempDir dir;
  // Server A: the shared test key, also written as server.p12.
  testgen::ScenarioConfig a = base_config(dir.path() / "a", "AES256-GCM-SHA384", 3);
  a.network.server_ip = "10.1.0.1";
  a.output.pkcs12_password = "pfx password";
  const auto scenario_a = generate_ok(a);
  REQUIRE_FALSE(scenario_a.pkcs12.empty());

  // Server B: a key and certificate of its own, port 3001, after A in time.
  auto other = testgen::ServerCredentials::generate("server-b", 2048);
  REQUIRE(other.ok());
  REQUIRE(other->write_key_pem(dir.path() / "b.key.pem").ok());
  REQUIRE(other->write_cert_pem(dir.path() / "b.cert.pem").ok());
  testgen::ScenarioConfig b = base_config(dir.path() / "b", "AES128-SHA256", 3);
  b.network.server_ip = "10.1.0.2";
  b.network.server_port = 3001;
  b.key_pem = dir.path() / "b.key.pem";
  b.cert_pem = dir.path() / "b.cert.pem";
  b.clock.start_ns = scenario_a.connections.back().last_timestamp_ns + 1'000'000'000;
  const auto scenario_b = generate_ok(b);
  const std::vector<fs::path> files = {scenario_a.files[0].path, scenario_b.files[0].path};

  auto pfx = keys::RsaPrivateKey::load(scenario_a.pkcs12, std::string("pfx password"));
  INFO((pfx.ok() ? std::string() : pfx.error().message));
  REQUIRE(pfx.ok());

  for (bool bound : {true, false}) {
    INFO((bound ? "keys bound" : "keys unbound"));
    decrypt::KeyStore keys;
    if (bound) {
      keys.add_bound_key(to_endpoint(scenario_a.connections[0].server), pfx.value());
      keys.add_bound_key(to_endpoint(scenario_b.connections[0].server), load_key(dir.path() / "b.key.pem"));
    } else {
      keys.add_unbound_key(load_key(dir.path() / "b.key.pem"));
      keys.add_unbound_key(pfx.value());
    }
    auto run = decrypt_files(keys, files);
    CHECK(run->sink.connections.size() == 6);
    for (const auto& c : scenario_a.connections) check_exact(*run, c);
    for (const auto& c : scenario_b.connections) check_exact(*run, c);
  }
  {
    INFO("keys bound to the wrong servers: key_mismatch for both");
    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(scenario_b.connections[0].server), pfx.value());
    keys.add_bound_key(to_endpoint(scenario_a.connections[0].server), load_key(dir.path() / "b.key.pem"));
    auto run = decrypt_files(keys, files);
    for (const auto* scenario : {&scenario_a, &scenario_b}) {
      for (const auto& c : scenario->connections) {
        const RecordedConnection* got = find_connection(*run, c);
        REQUIRE(got != nullptr);
        INFO(describe(*got));
        CHECK(got->report.verdict == decrypt::Verdict::key_mismatch);
        CHECK(got->c2s().empty());
      }
    }
  }
}
