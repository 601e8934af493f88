// 5. Many sessions in one capture (RSA key exchange, small messages): every
// one decrypted and equal to what was sent, with one worker and with two.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

TEST_CASE("1200 RSA sessions in one capture, every one decrypted exactly", "[e2e][many]") {
  constexpr std::size_t kSessions = 1200;
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path(), "AES128-GCM-SHA256", kSessions);
  config.specs[0].traffic.exchanges = 1;
  config.specs[0].traffic.min_size = 20;
  config.specs[0].traffic.max_size = 200;
  // A second spec with a CBC suite, so both record layers are exercised.
  config.specs.push_back(config.specs[0]);
  config.specs[1].tls.ciphers = "AES256-SHA";
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.connections.size() == kSessions);

  for (unsigned workers : {1u, 2u}) {
    INFO("workers " << workers);
    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(scenario.key_pem));
    auto run = decrypt_files(keys, capture_paths(scenario), workers);
    REQUIRE(run->sink.connections.size() == kSessions);
    std::size_t exact = 0;
    for (const auto& c : scenario.connections) {
      const RecordedConnection* got = find_connection(*run, c);
      REQUIRE(got != nullptr);
      const auto sent = sent_plaintext(c);
      if (got->report.verdict == decrypt::Verdict::decrypted && got->c2s() == sent[0] && got->s2c() == sent[1] &&
          got->ends == 1) {
        ++exact;
      } else {
        check_exact(*run, c);  // says what differs
      }
    }
    CHECK(exact == kSessions);
    // The connections do not overlap in time: the engine's ids (order of first
    // appearance) sort the connections in the manifest's order.
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < scenario.connections.size(); ++i) {
      const RecordedConnection* got = find_connection(*run, scenario.connections[i]);
      if (i > 0) CHECK(got->report.connection_id > previous);
      previous = got->report.connection_id;
    }
  }
}
