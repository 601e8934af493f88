// 4. Renegotiation (TLS 1.0-1.2), initiated by the client and by the server,
// decrypted with the server's RSA key: the data before and after the second
// handshake, exactly.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::Side;
using testgen::TlsVersion;

TEST_CASE("Renegotiation initiated by client and by server, RSA key", "[e2e][renegotiation]") {
  struct Row {
    TlsVersion version;
    const char* ciphers;
    Side initiator;
    bool ems;
  };
  const Row rows[] = {
      {TlsVersion::tls1_2, "AES128-GCM-SHA256", Side::client, true},
      {TlsVersion::tls1_2, "AES128-GCM-SHA256", Side::server, true},
      {TlsVersion::tls1_2, "AES256-SHA256", Side::client, false},
      {TlsVersion::tls1_2, "AES256-CCM", Side::server, false},
      {TlsVersion::tls1_1, "AES128-SHA", Side::server, true},
      {TlsVersion::tls1_0, "CAMELLIA128-SHA", Side::client, true},
  };
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs.clear();
  for (const auto& row : rows) {
    testgen::SessionSpec spec;
    spec.tls.version = row.version;
    spec.tls.ciphers = row.ciphers;
    spec.tls.extended_master_secret = row.ems;
    spec.renegotiate_after = 3;
    spec.renegotiation_initiator = row.initiator;
    spec.traffic.exchanges = 4;  // 8 messages: the renegotiation comes in the middle
    config.specs.push_back(spec);
  }
  config.sessions = config.specs.size();
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == std::size(rows));

  decrypt::KeyStore keys;
  keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
  auto run = decrypt_files(keys, capture_paths(scenario));
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    INFO("row " << i << (rows[i].initiator == Side::client ? " client" : " server") << "-initiated");
    const auto& c = scenario.connections[i];
    REQUIRE(c.renegotiations == 1);
    // OpenSSL's client answers a server's HelloRequest with an abbreviated
    // handshake (SSL_renegotiate_abbreviated in tls_process_hello_req), which
    // resumes by the ticket the first handshake issued; a client-initiated
    // renegotiation (SSL_renegotiate) is a full one. Like cipher_suite, the
    // report's `resumed` describes the last handshake.
    check_exact(*run, c, rows[i].initiator == Side::server ? decrypt::Resumption::ticket : decrypt::Resumption::no);
    const RecordedConnection* got = find_connection(*run, c);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->report.handshakes == 2);
    CHECK(got->report.extended_master_secret == rows[i].ems);
  }
}
