// 2. Key log only (no RSA key): (EC)DHE suites of TLS 1.0-1.2, every TLS 1.3
// suite, TLS 1.3 resumption, TLS 1.3 0-RTT with and without the early secret.
#include <catch2/catch.hpp>
#include <sstream>

#include "tests/e2e/custom_traffic.h"
#include "tests/e2e/e2e_support.h"
#include "tests/gen/files.h"
#include "tests/gen/traffic.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::TlsVersion;

namespace {

struct KeylogRow {
  TlsVersion version;
  const char* ciphers;       // TLS <= 1.2
  const char* ciphersuites;  // TLS 1.3
};

// DHE suites are in their own test below: the generator's server has no DH
// parameters ("no shared cipher"), so that test makes its own connections.
// TLS_AES_128_CCM_SHA256 and TLS_AES_128_CCM_8_SHA256 are not in OpenSSL's
// default TLS 1.3 list: naming them in the ciphersuites enables them.
constexpr KeylogRow kRows[] = {
    {TlsVersion::tls1_2, "ECDHE-RSA-AES128-GCM-SHA256", ""},
    {TlsVersion::tls1_2, "ECDHE-RSA-AES256-GCM-SHA384", ""},
    {TlsVersion::tls1_2, "ECDHE-RSA-CHACHA20-POLY1305", ""},
    {TlsVersion::tls1_2, "ECDHE-RSA-AES128-SHA256", ""},
    {TlsVersion::tls1_0, "ECDHE-RSA-AES128-SHA", ""},
    {TlsVersion::tls1_2, "AES128-GCM-SHA256", ""},  // RSA key exchange, but only the key log is given
    {TlsVersion::tls1_3, "", "TLS_AES_128_GCM_SHA256"},
    {TlsVersion::tls1_3, "", "TLS_AES_256_GCM_SHA384"},
    {TlsVersion::tls1_3, "", "TLS_CHACHA20_POLY1305_SHA256"},
    {TlsVersion::tls1_3, "", "TLS_AES_128_CCM_SHA256"},
    {TlsVersion::tls1_3, "", "TLS_AES_128_CCM_8_SHA256"},
};

std::string without_label(const std::string& keylog, const std::string& label) {
  std::istringstream in(keylog);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(label + " ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("Key log only: ECDHE suites of TLS 1.0-1.2, an RSA suite, and every TLS 1.3 suite", "[e2e][keylog]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs.clear();
  for (const auto& row : kRows) {
    testgen::SessionSpec spec;
    spec.tls.version = row.version;
    spec.tls.ciphers = row.ciphers;
    spec.tls.ciphersuites = row.ciphersuites;
    spec.traffic.exchanges = 4;
    spec.traffic.min_size = 1;
    spec.traffic.max_size = 1500;
    spec.traffic.bulk_client_to_server = 17000;
    config.specs.push_back(spec);
  }
  config.sessions = config.specs.size();
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == std::size(kRows));
  for (std::size_t i = 0; i < std::size(kRows); ++i) {
    INFO("row " << i);
    const auto& c = scenario.connections[i];
    CHECK(c.version == testgen::openssl_version_name(kRows[i].version));
    if (kRows[i].version == TlsVersion::tls1_3) {
      CHECK(c.cipher == kRows[i].ciphersuites);
    } else {
      CHECK(c.cipher_openssl == kRows[i].ciphers);
    }
  }

  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_file(scenario.keylog).ok());
  REQUIRE_FALSE(keys.has_rsa_keys());
  auto run = decrypt_files(keys, capture_paths(scenario));
  CHECK(run->sink.connections.size() == std::size(kRows));
  for (const auto& c : scenario.connections) {
    check_exact(*run, c);
    const RecordedConnection* got = find_connection(*run, c);
    REQUIRE(got != nullptr);
    CHECK(got->report.keys_from == std::string("key log"));  // TLS 1.3 and TLS <= 1.2 alike
  }
}

TEST_CASE("Key log only: TLS 1.3 resumption (PSK) by ticket", "[e2e][keylog]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs[0].tls.version = TlsVersion::tls1_3;
  config.specs[0].tls.ciphers = "";
  config.specs[0].tls.resumption = testgen::Resumption::ticket;
  config.specs[0].resumptions = 2;
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == 3);
  REQUIRE_FALSE(scenario.connections[0].resumed);
  REQUIRE(scenario.connections[1].resumed);
  REQUIRE(scenario.connections[2].resumed);

  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_file(scenario.keylog).ok());
  auto run = decrypt_files(keys, capture_paths(scenario));
  check_exact(*run, scenario.connections[0], decrypt::Resumption::no);
  check_exact(*run, scenario.connections[1], decrypt::Resumption::psk);
  check_exact(*run, scenario.connections[2], decrypt::Resumption::psk);
}

TEST_CASE("Key log only: TLS 1.3 0-RTT early data, with and without the early traffic secret", "[e2e][keylog][early]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs[0].tls.version = TlsVersion::tls1_3;
  config.specs[0].tls.ciphers = "";
  config.specs[0].tls.resumption = testgen::Resumption::ticket;
  config.specs[0].resumptions = 1;
  config.specs[0].early_data = 700;
  config.sessions = 2;
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == 4);
  for (std::size_t i : {1u, 3u}) {
    INFO("connection " << i);
    const auto& c = scenario.connections[i];
    REQUIRE(c.resumed);
    REQUIRE(c.early_data_offered);
    REQUIRE(c.early_data_accepted);
    REQUIRE(c.early_data_bytes == 700);
    REQUIRE(c.keylog.find("CLIENT_EARLY_TRAFFIC_SECRET ") != std::string::npos);
  }

  SECTION("with CLIENT_EARLY_TRAFFIC_SECRET: everything, early data included") {
    decrypt::KeyStore keys;
    REQUIRE(keys.key_log().add_file(scenario.keylog).ok());
    auto run = decrypt_files(keys, capture_paths(scenario));
    check_exact(*run, scenario.connections[0], decrypt::Resumption::no);
    check_exact(*run, scenario.connections[1], decrypt::Resumption::psk);
    check_exact(*run, scenario.connections[2], decrypt::Resumption::no);
    check_exact(*run, scenario.connections[3], decrypt::Resumption::psk);
    for (std::size_t i : {1u, 3u}) {
      const RecordedConnection* got = find_connection(*run, scenario.connections[i]);
      REQUIRE(got != nullptr);
      CHECK(got->report.skipped_early_data_records == 0);
    }
  }

  SECTION("without CLIENT_EARLY_TRAFFIC_SECRET: all but the early data") {
    const fs::path keylog = dir.path() / "keys-no-early.log";
    const std::string text = without_label(read_bytes(scenario.keylog), "CLIENT_EARLY_TRAFFIC_SECRET");
    REQUIRE(text.find("CLIENT_EARLY_TRAFFIC_SECRET") == std::string::npos);
    REQUIRE(text.find("CLIENT_TRAFFIC_SECRET_0") != std::string::npos);
    REQUIRE(testgen::write_file(keylog, text).ok());
    decrypt::KeyStore keys;
    REQUIRE(keys.key_log().add_file(keylog).ok());
    auto run = decrypt_files(keys, capture_paths(scenario));
    check_exact(*run, scenario.connections[0], decrypt::Resumption::no);
    check_exact(*run, scenario.connections[2], decrypt::Resumption::no);
    for (std::size_t i : {1u, 3u}) {
      const auto& c = scenario.connections[i];
      INFO("connection " << i);
      const RecordedConnection* got = find_connection(*run, c);
      REQUIRE(got != nullptr);
      INFO(describe(*got));
      const auto sent = sent_plaintext(c);
      REQUIRE(sent[0].size() > c.early_data_bytes);
      // The early data came first on the client's side; without its secret it is missing.
      CHECK(got->c2s() == sent[0].substr(c.early_data_bytes));
      CHECK(got->s2c() == sent[1]);
      CHECK(got->report.skipped_early_data_records >= 1);
      CHECK(got->report.resumed == decrypt::Resumption::psk);
      CHECK(got->report.finished_verified);
    }
  }
}

// CORE BUG: with the early traffic secret missing from the key log, the 0-RTT
// records of a resumed TLS 1.3 connection are skipped (skipped_early_data_records
// = 2: the early data and EndOfEarlyData) and the rest decrypts, but the verdict
// is `decrypted` with an empty reason, although verdict.h defines `decrypted` as
// "every record decrypted": the report does not tell that the first
// early_data_bytes of the client's data are missing. Expected:
// partially_decrypted with a reason naming the early data (and a fix: a key log
// with CLIENT_EARLY_TRAFFIC_SECRET lines).
TEST_CASE("Key log only: TLS 1.3 0-RTT without the early secret is not reported as fully decrypted",
          "[e2e][keylog][early]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs[0].tls.version = TlsVersion::tls1_3;
  config.specs[0].tls.ciphers = "";
  config.specs[0].tls.resumption = testgen::Resumption::ticket;
  config.specs[0].resumptions = 1;
  config.specs[0].early_data = 700;
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == 2);
  REQUIRE(scenario.connections[1].early_data_accepted);

  const fs::path keylog = dir.path() / "keys-no-early.log";
  REQUIRE(testgen::write_file(keylog, without_label(read_bytes(scenario.keylog), "CLIENT_EARLY_TRAFFIC_SECRET")).ok());
  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_file(keylog).ok());
  auto run = decrypt_files(keys, capture_paths(scenario));
  const RecordedConnection* got = find_connection(*run, scenario.connections[1]);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  REQUIRE(got->report.skipped_early_data_records >= 1);
  CHECK(got->report.verdict == decrypt::Verdict::partially_decrypted);
  CHECK(got->report.reason.find("early data") != std::string::npos);
}

namespace {

std::array<std::string, 2> as_strings(const testgen::TlsConnectionResult& r) {
  return {std::string(r.plaintext[0].begin(), r.plaintext[0].end()),
          std::string(r.plaintext[1].begin(), r.plaintext[1].end())};
}

}  // namespace

TEST_CASE("Key log only: DHE-RSA suites, TLS 1.0-1.2", "[e2e][keylog][dhe]") {
  auto credentials = testgen::ServerCredentials::shared();
  REQUIRE(credentials.ok());
  struct Row {
    TlsVersion version;
    const char* ciphers;
  };
  const Row rows[] = {{TlsVersion::tls1_0, "DHE-RSA-AES256-SHA"},
                      {TlsVersion::tls1_1, "DHE-RSA-AES256-SHA"},
                      {TlsVersion::tls1_2, "DHE-RSA-AES256-SHA"},
                      {TlsVersion::tls1_2, "DHE-RSA-AES128-GCM-SHA256"},
                      {TlsVersion::tls1_2, "DHE-RSA-CHACHA20-POLY1305"}};
  std::vector<testgen::TlsConnectionResult> results;
  std::string keylog;
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    testgen::TlsOptions options;
    options.version = rows[i].version;
    options.ciphers = rows[i].ciphers;
    auto pair = testgen::TlsContextPair::create(options, *credentials);
    REQUIRE(pair.ok());
    REQUIRE(SSL_CTX_set_dh_auto(pair->server(), 1) == 1);
    testgen::Rng rng(100 + i);
    testgen::TrafficPlan plan;
    plan.exchanges = 4;
    plan.min_size = 1;
    plan.max_size = 1500;
    plan.bulk_server_to_client = 17000;
    testgen::ConnectionScript script;
    script.messages = testgen::make_messages(plan, rng);
    auto result = testgen::run_tls_connection(*pair, script);
    INFO((result.ok() ? std::string() : result.error().message));
    REQUIRE(result.ok());
    CHECK(result->cipher_openssl == rows[i].ciphers);
    CHECK(result->version == testgen::openssl_version_name(rows[i].version));
    keylog += result->keylog;
    results.push_back(std::move(result.value()));
  }
  TempDir dir;
  std::vector<const testgen::TlsConnectionResult*> pointers;
  for (const auto& r : results) pointers.push_back(&r);
  const auto written = write_capture(dir.path() / "dhe.pcapng", pointers);

  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_text(keylog, "keys.log").ok());
  auto run = decrypt_files(keys, {dir.path() / "dhe.pcapng"});
  CHECK(run->sink.connections.size() == results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    check_decrypted(*run, written[i].client, written[i].server, as_strings(results[i]), results[i].version,
                    results[i].cipher);
  }
}

TEST_CASE("Key log only: TLS 1.3 KeyUpdate by client and server, requested and not", "[e2e][keylog][keyupdate]") {
  auto credentials = testgen::ServerCredentials::shared();
  REQUIRE(credentials.ok());
  // SHA-256 and SHA-384 suites: "traffic upd" uses the suite's hash (RFC 8446 section 7.2).
  const char* suites[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
  std::vector<testgen::TlsConnectionResult> results;
  std::string keylog;
  for (std::size_t i = 0; i < std::size(suites); ++i) {
    testgen::TlsOptions options;
    options.version = TlsVersion::tls1_3;
    options.ciphersuites = suites[i];
    auto pair = testgen::TlsContextPair::create(options, *credentials);
    REQUIRE(pair.ok());
    testgen::Rng rng(200 + i);
    auto message = [&](testgen::Direction d, std::size_t size) {
      Step s;
      s.direction = d;
      s.data = testgen::cti_message(rng, size, d, 4000 + i);
      return s;
    };
    auto key_update = [](testgen::Side side, bool requested) {
      Step s;
      s.kind = Step::Kind::key_update;
      s.side = side;
      s.update_requested = requested;
      return s;
    };
    using testgen::Direction;
    using testgen::Side;
    const std::vector<Step> steps = {
        message(Direction::client_to_server, 300),
        message(Direction::server_to_client, 500),
        key_update(Side::client, true),  // the server answers with a KeyUpdate of its own
        message(Direction::client_to_server, 200),
        message(Direction::server_to_client, 700),
        key_update(Side::server, false),
        message(Direction::server_to_client, 400),
        message(Direction::client_to_server, 100),
        key_update(Side::client, false),
        key_update(Side::client, false),
        key_update(Side::client, false),
        message(Direction::client_to_server, 900),
        message(Direction::server_to_client, 16000),
        key_update(Side::server, true),  // the client answers
        message(Direction::server_to_client, 50),
        message(Direction::client_to_server, 60),
    };
    KeyUpdateCounts counts;
    auto result = run_steps(*pair, steps, &counts);
    // KeyUpdates on the wire: client 1 + 3 + 1 answer, server 1 answer + 1 + 1.
    CHECK(counts.sent_by_client == 5);
    CHECK(counts.sent_by_server == 3);
    CHECK(result.cipher == suites[i]);
    keylog += result.keylog;
    results.push_back(std::move(result));
  }
  TempDir dir;
  std::vector<const testgen::TlsConnectionResult*> pointers;
  for (const auto& r : results) pointers.push_back(&r);
  const auto written = write_capture(dir.path() / "keyupdate.pcapng", pointers);

  decrypt::KeyStore keys;
  REQUIRE(keys.key_log().add_text(keylog, "keys.log").ok());
  auto run = decrypt_files(keys, {dir.path() / "keyupdate.pcapng"});
  for (std::size_t i = 0; i < results.size(); ++i) {
    check_decrypted(*run, written[i].client, written[i].server, as_strings(results[i]), results[i].version,
                    results[i].cipher);
  }
}
