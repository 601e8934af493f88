// Several workers give what one gives, every time: a capture with packet loss,
// reordering and retransmissions, whose sessions are resumed (TLS 1.2 by
// session ID and by ticket, TLS 1.3 by PSK) in connections that the engine's
// workers share out. A resumption then often needs a session another worker
// learns in the same batch, or never learns (its full handshake lost its
// Finished). The verdicts, reports and decrypted records with 2 and 3 workers,
// run several times, must equal the one-worker run, and that run must match
// what the generator sent.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::TlsVersion;

namespace {

testgen::ScenarioConfig lossy_resumption_config(const fs::path& dir) {
  testgen::ScenarioConfig config = base_config(dir, "AES128-GCM-SHA256", 30);
  testgen::SessionSpec by_id = config.specs[0];
  by_id.tls.resumption = testgen::Resumption::session_id;
  by_id.resumptions = 2;
  by_id.traffic.exchanges = 6;
  testgen::SessionSpec by_ticket = by_id;
  by_ticket.tls.ciphers = "AES256-GCM-SHA384";
  by_ticket.tls.resumption = testgen::Resumption::ticket;
  testgen::SessionSpec tls13 = by_id;
  tls13.tls.version = TlsVersion::tls1_3;
  tls13.tls.ciphers = "";
  tls13.tls.resumption = testgen::Resumption::ticket;
  tls13.resumptions = 1;
  config.specs = {by_id, by_ticket, tls13};
  // Connections overlap, so that their packets interleave within a batch.
  config.clock.start_interval_ns = 2'000'000;
  config.impairments.drop = 0.02;
  config.impairments.reorder = 0.1;
  config.impairments.retransmit = 0.05;
  config.seed = 11;
  return config;
}

// The connection's session as the generator made it: no byte of it, nor of
// any connection whose session it resumes, was lost.
bool chain_intact(const testgen::GeneratedScenario& scenario, const testgen::ConnectionRecord& c) {
  for (const testgen::ConnectionRecord* at = &c;;) {
    if (at->impairments.lost_bytes[0] + at->impairments.lost_bytes[1] > 0) return false;
    if (!at->resumes) return true;
    at = &scenario.connections.at(*at->resumes);
  }
}

decrypt::Resumption expected_resumption(const testgen::ConnectionRecord& c) {
  if (!c.resumed) return decrypt::Resumption::no;
  if (c.version == "TLSv1.3") return decrypt::Resumption::psk;
  return c.spec == 0 ? decrypt::Resumption::session_id : decrypt::Resumption::ticket;
}

void check_same(const RecordedConnection& one, const RecordedConnection& many) {
  const decrypt::SessionReport& a = one.report;
  const decrypt::SessionReport& b = many.report;
  INFO("one worker: " << describe(one));
  INFO("several: " << describe(many));
  CHECK(many.ends == 1);
  CHECK(a.client == b.client);
  CHECK(a.server == b.server);
  CHECK(a.first_seen_ns == b.first_seen_ns);
  CHECK(a.last_seen_ns == b.last_seen_ns);
  CHECK(a.version == b.version);
  CHECK(a.cipher_suite == b.cipher_suite);
  CHECK(a.resumed == b.resumed);
  CHECK(a.handshakes == b.handshakes);
  CHECK(a.c2s_bytes == b.c2s_bytes);
  CHECK(a.s2c_bytes == b.s2c_bytes);
  CHECK(a.records == b.records);
  CHECK(a.undecrypted_records == b.undecrypted_records);
  CHECK(a.gaps == b.gaps);
  CHECK(a.gap_bytes == b.gap_bytes);
  CHECK(a.finished_verified == b.finished_verified);
  CHECK(a.alerts == b.alerts);
  CHECK(a.verdict == b.verdict);
  CHECK(a.reason == b.reason);
  CHECK(a.fix == b.fix);
  CHECK(a.ended_at == b.ended_at);
  CHECK(one.records == many.records);
}

}  // namespace

TEST_CASE("Loss and resumption: 2 and 3 workers give the one-worker result, run after run",
          "[e2e][workers][loss][resumption]") {
  TempDir dir;
  const auto scenario = generate_ok(lossy_resumption_config(dir.path()));

  // The RSA key for TLS 1.2 (a resumption needs the session cache), the key
  // log for TLS 1.3 only (its CLIENT_RANDOM lines would make the cache moot).
  auto make_keys = [&] {
    auto keys = std::make_unique<decrypt::KeyStore>();
    keys->add_unbound_key(load_key(scenario.key_pem));
    for (const auto& c : scenario.connections) {
      if (c.version == "TLSv1.3") REQUIRE(keys->add_key_log_text(c.keylog, "TLS 1.3 lines").ok());
    }
    return keys;
  };

  auto keys = make_keys();
  const auto reference = decrypt_files(*keys, capture_paths(scenario), 1);

  // The one-worker run against the generator.
  std::size_t lossy = 0, resumed_exact = 0, resumed_lossy_chain = 0;
  for (const auto& c : scenario.connections) {
    INFO("manifest connection " << c.index << " (" << c.version << ", resumes "
                                << (c.resumes ? std::to_string(*c.resumes) : "none") << "), lost "
                                << c.impairments.lost_bytes[0] << " c2s / " << c.impairments.lost_bytes[1]
                                << " s2c bytes");
    const RecordedConnection* got = find_connection(*reference, c);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    const auto sent = sent_plaintext(c);
    if (chain_intact(scenario, c)) {
      check_exact(*reference, c, expected_resumption(c));
      if (c.resumed) ++resumed_exact;
      continue;
    }
    if (c.impairments.lost_bytes[0] + c.impairments.lost_bytes[1] > 0) ++lossy;
    if (c.resumed) ++resumed_lossy_chain;
    // What did decrypt is what was sent, in order.
    for (auto d : {decrypt::Direction::client_to_server, decrypt::Direction::server_to_client}) {
      CHECK(records_in_order(got->records[static_cast<std::size_t>(d)], sent[static_cast<std::size_t>(d)], nullptr));
    }
  }
  // The capture exercises what it is meant to.
  CHECK(lossy >= 5);
  CHECK(resumed_exact >= 10);
  CHECK(resumed_lossy_chain >= 3);

  for (unsigned workers : {2u, 3u}) {
    for (int run = 1; run <= 4; ++run) {
      INFO("workers " << workers << ", run " << run);
      auto again_keys = make_keys();
      const auto again = decrypt_files(*again_keys, capture_paths(scenario), workers);
      REQUIRE(again->sink.connections.size() == reference->sink.connections.size());
      for (const auto& [id, one] : reference->sink.connections) {
        INFO("connection " << id);
        auto it = again->sink.connections.find(id);
        REQUIRE(it != again->sink.connections.end());
        check_same(one, it->second);
      }
      CHECK(again->sink.master_secrets == reference->sink.master_secrets);
    }
  }
}
