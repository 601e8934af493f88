// 3. Resumption by session ID and by session ticket (TLS 1.0-1.2): the full
// handshake in a first capture file, the resumptions in a second, decrypted
// as one capture with only the server's RSA key; the second file alone gives
// resumed_session_unknown.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::TlsVersion;

namespace {

struct ResumptionRow {
  TlsVersion version;
  const char* ciphers;
  testgen::Resumption mode;
  bool ems;
};

constexpr ResumptionRow kRows[] = {
    {TlsVersion::tls1_2, "AES128-GCM-SHA256", testgen::Resumption::session_id, true},
    {TlsVersion::tls1_2, "AES128-GCM-SHA256", testgen::Resumption::ticket, true},
    {TlsVersion::tls1_2, "AES256-SHA256", testgen::Resumption::session_id, false},
    {TlsVersion::tls1_2, "AES256-GCM-SHA384", testgen::Resumption::ticket, false},
    {TlsVersion::tls1_1, "AES128-SHA", testgen::Resumption::ticket, true},
    {TlsVersion::tls1_0, "CAMELLIA256-SHA", testgen::Resumption::session_id, true},
};

decrypt::Resumption expected_mode(testgen::Resumption mode) {
  return mode == testgen::Resumption::ticket ? decrypt::Resumption::ticket : decrypt::Resumption::session_id;
}

}  // namespace

TEST_CASE("Resumption by session ID and by ticket across two capture files, RSA key only", "[e2e][resumption]") {
  for (const auto& row : kRows) {
    const bool by_ticket = row.mode == testgen::Resumption::ticket;
    INFO(testgen::openssl_version_name(row.version)
         << " " << row.ciphers << " by " << (by_ticket ? "ticket" : "session ID") << " EMS " << row.ems);
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path(), row.ciphers);
    config.specs[0].tls.version = row.version;
    config.specs[0].tls.resumption = row.mode;
    config.specs[0].tls.extended_master_secret = row.ems;
    config.specs[0].resumptions = 2;  // the second resumes the session the first resumed
    config.output.split_before_connections = {1};
    const auto scenario = generate_ok(config);
    REQUIRE(scenario.files.size() == 2);
    REQUIRE(scenario.connections.size() == 3);
    REQUIRE_FALSE(scenario.connections[0].resumed);
    REQUIRE(scenario.connections[1].resumed);
    REQUIRE(scenario.connections[2].resumed);
    REQUIRE(scenario.connections[0].files == std::vector<std::size_t>{0});
    REQUIRE(scenario.connections[1].files == std::vector<std::size_t>{1});

    for (unsigned workers : {1u, 2u}) {
      INFO("both files, workers " << workers);
      decrypt::KeyStore keys;
      keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
      auto run = decrypt_files(keys, capture_paths(scenario), workers);
      check_exact(*run, scenario.connections[0], decrypt::Resumption::no);
      check_exact(*run, scenario.connections[1], expected_mode(row.mode));
      check_exact(*run, scenario.connections[2], expected_mode(row.mode));
      for (const auto& c : scenario.connections) {
        const RecordedConnection* got = find_connection(*run, c);
        REQUIRE(got != nullptr);
        CHECK(got->report.extended_master_secret == row.ems);
        // The full handshake's keys came from the key file given, the resumptions' from the session cache.
        CHECK(got->report.keys_from == (c.resumed ? std::string(by_ticket ? "session cache (ticket)"
                                                                          : "session cache (session ID)")
                                                  : "RSA key " + scenario.key_pem.string()));
      }
    }

    {
      INFO("both files, the key log only: every handshake's secret is in it");
      REQUIRE(!scenario.keylog.empty());
      decrypt::KeyStore keys;
      REQUIRE(keys.key_log().add_file(scenario.keylog).ok());
      auto run = decrypt_files(keys, capture_paths(scenario));
      for (const auto& c : scenario.connections) {
        const RecordedConnection* got = find_connection(*run, c);
        REQUIRE(got != nullptr);
        CHECK(got->report.verdict == decrypt::Verdict::decrypted);
        CHECK(got->report.keys_from == std::string("key log"));
      }
    }

    {
      INFO("the second file only: no keys found");
      decrypt::KeyStore keys;
      keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
      auto run = decrypt_files(keys, {scenario.files[1].path});
      for (std::size_t i : {1u, 2u}) {
        const RecordedConnection* got = find_connection(*run, scenario.connections[i]);
        REQUIRE(got != nullptr);
        INFO(describe(*got));
        CHECK(got->report.verdict == decrypt::Verdict::resumed_session_unknown);
        CHECK(got->report.resumed == expected_mode(row.mode));
        CHECK(got->report.reason.find("full handshake") != std::string::npos);
        CHECK(got->report.reason.find(by_ticket ? "ticket" : "session ID") != std::string::npos);
        CHECK_FALSE(got->report.fix.empty());
        CHECK_FALSE(got->report.keys_from.has_value());
        CHECK(got->c2s().empty());
        CHECK(got->s2c().empty());
      }
    }
  }
}

TEST_CASE("A resumption of an ECDHE session says the full handshake was seen and why it could not be decrypted",
          "[e2e][resumption][verdicts]") {
  for (const auto mode : {testgen::Resumption::session_id, testgen::Resumption::ticket}) {
    const bool by_ticket = mode == testgen::Resumption::ticket;
    INFO("by " << (by_ticket ? "ticket" : "session ID"));
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path(), "ECDHE-RSA-AES128-GCM-SHA256");
    config.specs[0].tls.version = TlsVersion::tls1_2;
    config.specs[0].tls.resumption = mode;
    config.specs[0].resumptions = 1;
    const auto scenario = generate_ok(config);
    REQUIRE(scenario.connections.size() == 2);
    REQUIRE(scenario.connections[1].resumed);
    for (unsigned workers : {1u, 2u}) {
      INFO("workers " << workers);
      decrypt::KeyStore keys;  // the RSA key only: ECDHE cannot be decrypted with it
      keys.add_bound_key(to_endpoint(scenario.connections[0].server), load_key(scenario.key_pem));
      auto run = decrypt_files(keys, capture_paths(scenario), workers);
      const RecordedConnection* full = find_connection(*run, scenario.connections[0]);
      const RecordedConnection* resumed = find_connection(*run, scenario.connections[1]);
      REQUIRE(full != nullptr);
      REQUIRE(resumed != nullptr);
      CHECK(full->report.verdict == decrypt::Verdict::not_rsa_key_exchange);
      INFO(describe(*resumed));
      CHECK(resumed->report.verdict == decrypt::Verdict::resumed_session_unknown);
      CHECK_THAT(resumed->report.reason, Catch::Contains("captured but could not be decrypted") &&
                                             Catch::Contains("connection " +
                                                             std::to_string(full->report.connection_id)) &&
                                             Catch::Contains("not_rsa_key_exchange") &&
                                             Catch::Contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
      // What to do is said here too, not only on the full handshake's line.
      CHECK(resumed->report.fix == "as for that full handshake: " + full->report.fix);
      CHECK_THAT(full->report.fix, Catch::StartsWith("capture a key log (SSLKEYLOGFILE)"));
    }
  }
}
