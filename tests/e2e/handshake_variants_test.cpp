// Handshakes the scenario generator does not make, run with its pieces
// (custom_traffic.h): client certificates (mutual TLS, common on CTI links),
// the max_fragment_length extension, a TLS 1.3 HelloRetryRequest.
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <functional>

#include "tests/e2e/custom_traffic.h"
#include "tests/e2e/e2e_support.h"
#include "tests/gen/files.h"
#include "tests/gen/traffic.h"

using namespace tlsring;
using namespace tlsring::e2e;
using testgen::Direction;
using testgen::TlsVersion;

namespace {

int accept_any_certificate(int, X509_STORE_CTX*) { return 1; }

std::vector<Step> exchange(std::uint64_t seed) {
  testgen::Rng rng(seed);
  testgen::TrafficPlan plan;
  plan.exchanges = 4;
  plan.min_size = 1;
  plan.max_size = 2500;
  plan.bulk_server_to_client = 20000;
  std::vector<Step> steps;
  for (auto& m : testgen::make_messages(plan, rng)) {
    Step s;
    s.direction = m.direction;
    s.data = std::move(m.data);
    steps.push_back(std::move(s));
  }
  return steps;
}

std::array<std::string, 2> as_strings(const testgen::TlsConnectionResult& r) {
  return {std::string(r.plaintext[0].begin(), r.plaintext[0].end()),
          std::string(r.plaintext[1].begin(), r.plaintext[1].end())};
}

struct Variant {
  const char* name;
  testgen::TlsOptions options;
  std::function<void(const testgen::TlsContextPair&)> configure;
};

// Runs each variant's connection, writes them into one capture, and decrypts
// it with the server's RSA key (bound, then unbound) plus the TLS 1.3 key-log
// lines: every connection must decrypt exactly.
void run_variants(const std::vector<Variant>& variants) {
  auto server = testgen::ServerCredentials::shared();
  REQUIRE(server.ok());
  std::vector<testgen::TlsConnectionResult> results;
  std::string keylog;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    INFO(variants[i].name);
    auto pair = testgen::TlsContextPair::create(variants[i].options, *server);
    REQUIRE(pair.ok());
    variants[i].configure(*pair);
    results.push_back(run_steps(*pair, exchange(300 + i)));
    keylog += results.back().keylog;
  }
  TempDir dir;
  std::vector<const testgen::TlsConnectionResult*> pointers;
  for (const auto& r : results) pointers.push_back(&r);
  const fs::path file = dir.path() / "variants.pcapng";
  const auto written = write_capture(file, pointers);

  REQUIRE(testgen::write_file(dir.path() / "keys.log", keylog).ok());  // for a person debugging
  const fs::path key_pem = dir.path() / "server.key.pem";
  REQUIRE(server->write_key_pem(key_pem).ok());
  for (bool bound : {false, true}) {
    INFO((bound ? "RSA key bound" : "RSA key unbound (matched by the server's certificate, not the client's)")
         << ", key log for TLS 1.3");
    decrypt::KeyStore keys;
    if (bound) {
      keys.add_bound_key(to_endpoint(written[0].server), load_key(key_pem));
    } else {
      keys.add_unbound_key(load_key(key_pem));
    }
    // Only the TLS 1.3 lines: TLS <= 1.2 must decrypt with the RSA key.
    std::string tls13_lines;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].version == "TLSv1.3") tls13_lines += results[i].keylog;
    }
    REQUIRE(keys.key_log().add_text(tls13_lines, "tls13.keys").ok());
    auto run = decrypt_files(keys, {file});
    for (std::size_t i = 0; i < results.size(); ++i) {
      INFO(variants[i].name);
      check_decrypted(*run, written[i].client, written[i].server, as_strings(results[i]), results[i].version,
                      results[i].cipher);
    }
  }
}

testgen::TlsOptions options(TlsVersion version, const char* ciphers) {
  testgen::TlsOptions o;
  o.version = version;
  o.ciphers = ciphers;
  return o;
}

}  // namespace

TEST_CASE("Handshake variants: client certificates (mutual TLS), max_fragment_length", "[e2e][variants]") {
  auto server = testgen::ServerCredentials::shared();
  REQUIRE(server.ok());
  auto client = testgen::ServerCredentials::generate("cti-client", 2048);
  REQUIRE(client.ok());

  auto with_client_certificate = [&](const testgen::TlsContextPair& pair) {
    SSL_CTX_set_verify(pair.server(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
    REQUIRE(SSL_CTX_use_certificate(pair.client(), client->certificate()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(pair.client(), client->key()) == 1);
  };
  const std::vector<Variant> variants = {
      {"TLS 1.2 RSA, client certificate", options(TlsVersion::tls1_2, "AES128-GCM-SHA256"), with_client_certificate},
      {"TLS 1.2 RSA CBC, client certificate, no EMS", options(TlsVersion::tls1_2, "AES256-SHA256"),
       [&](const testgen::TlsContextPair& pair) {
         with_client_certificate(pair);
         SSL_CTX_set_options(pair.client(), SSL_OP_NO_EXTENDED_MASTER_SECRET);
       }},
      {"TLS 1.0 RSA, client certificate", options(TlsVersion::tls1_0, "AES128-SHA"), with_client_certificate},
      {"TLS 1.3, client certificate", options(TlsVersion::tls1_3, ""), with_client_certificate},
      {"TLS 1.2 RSA, max_fragment_length 512", options(TlsVersion::tls1_2, "AES128-GCM-SHA256"),
       [](const testgen::TlsContextPair& pair) {
         REQUIRE(SSL_CTX_set_tlsext_max_fragment_length(pair.client(), TLSEXT_max_fragment_length_512) == 1);
       }},
      {"TLS 1.2 RSA CBC, max_fragment_length 1024", options(TlsVersion::tls1_2, "AES128-SHA"),
       [](const testgen::TlsContextPair& pair) {
         REQUIRE(SSL_CTX_set_tlsext_max_fragment_length(pair.client(), TLSEXT_max_fragment_length_1024) == 1);
       }},
  };

  run_variants(variants);
}

// After the HelloRetryRequest both sides send a compatibility ChangeCipherSpec
// (RFC 8446 appendix D.4) before the second ClientHello and the real
// ServerHello: they must not be taken for TLS 1.2's.
TEST_CASE("Handshake variants: TLS 1.3 HelloRetryRequest", "[e2e][variants]") {
  run_variants({{"TLS 1.3, HelloRetryRequest (the server wants P-256, the client offered X25519 first)",
                 options(TlsVersion::tls1_3, ""), [](const testgen::TlsContextPair& pair) {
                   REQUIRE(SSL_CTX_set1_groups_list(pair.client(), "X25519:P-256") == 1);
                   REQUIRE(SSL_CTX_set1_groups_list(pair.server(), "P-256") == 1);
                 }}});
}
