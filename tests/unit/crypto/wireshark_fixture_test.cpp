// End-to-end checks of the key schedule and record ciphers on Wireshark's
// reference captures (/work/shared/fixtures/wireshark): the plaintext tshark
// 4.0.17 decrypted is the expected output, and the master secrets tshark
// derived (session-keys.txt) are the expected key schedule results.
#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/crypto/cipher_suite.h"
#include "pcap_streams.h"
#include "session_decoder.h"
#include "test_bytes.h"

using namespace tlsring::crypto;
using namespace tlsring::crypto::test;

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PkeyPtr load_private_key(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), BIO_free);
  REQUIRE(bio);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  REQUIRE(key);
  return key;
}

std::string text_of(const std::string& path) {
  const Bytes bytes = read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

struct StreamResult {
  std::uint16_t version = 0;
  std::uint16_t suite = 0;
  int client_finished = 0;
  int server_finished = 0;
  int masters_derived = 0;
  int masters_matched = 0;
  int tamper_rejections = 0;
  int early_records_skipped = 0;
};

// Decodes every TCP connection of `capture` and compares each direction's
// application data with captures/<expected_case>.expected/stream-N.*.bin.
std::vector<StreamResult> decode_fixture(const std::string& capture, const std::string& expected_case,
                                         const KeyMaterial& keys, std::size_t expected_streams) {
  const auto connections = read_tcp_connections(fixtures_dir() + "captures/" + capture);
  REQUIRE(connections.size() == expected_streams);
  std::vector<StreamResult> results;
  for (std::size_t i = 0; i < connections.size(); ++i) {
    INFO(capture << " tcp.stream " << i);
    SessionDecoder decoder(keys, DecodeOptions{.tamper_check = true});
    for (const TcpChunk& chunk : connections[i].chunks) decoder.feed(chunk.from_client, chunk.data);
    for (const std::string& e : decoder.errors()) FAIL_CHECK(e);
    REQUIRE(decoder.errors().empty());
    const std::string base = fixtures_dir() + "captures/" + expected_case + ".expected/stream-" + std::to_string(i);
    const Bytes c2s = read_file(base + ".c2s.bin");
    const Bytes s2c = read_file(base + ".s2c.bin");
    CHECK(decoder.app_data(true).size() == c2s.size());
    CHECK(decoder.app_data(false).size() == s2c.size());
    CHECK(decoder.app_data(true) == c2s);
    CHECK(decoder.app_data(false) == s2c);
    results.push_back(StreamResult{decoder.version(), decoder.cipher_suite(), decoder.finished_verified(true),
                                   decoder.finished_verified(false), decoder.masters_derived(),
                                   decoder.masters_matched_keylog(), decoder.tamper_rejections(),
                                   decoder.early_records_skipped()});
  }
  return results;
}

}  // namespace

TEST_CASE("SSL 3.0 (rsasnakeoil2): RSA pre-master to master, AES and 3DES records, renegotiation, resumption",
          "[crypto][fixture]") {
  PkeyPtr key = load_private_key(fixtures_dir() + "keys/rsasnakeoil2.key");
  KeyMaterial keys;
  keys.rsa_key = key.get();
  // tshark's derived master secrets: every one derived here must equal them.
  keys.add_keylog_text(text_of(fixtures_dir() + "captures/rsasnakeoil2.expected/session-keys.txt"));

  const auto results = decode_fixture("rsasnakeoil2.pcap", "rsasnakeoil2", keys, 2);
  // Stream 0: SSLv2 ClientHello, full handshake with AES256-SHA, then an encrypted
  // renegotiation to DES-CBC3-SHA. Both master secrets come from the RSA key.
  CHECK(results[0].version == 0x0300);
  CHECK(results[0].suite == 0x000A);  // the renegotiated suite
  CHECK(results[0].masters_derived == 2);
  CHECK(results[0].masters_matched == 2);
  CHECK(results[0].client_finished == 2);
  CHECK(results[0].server_finished == 2);
  // Stream 1: abbreviated handshake resuming the renegotiated session.
  CHECK(results[1].version == 0x0300);
  CHECK(results[1].suite == 0x000A);
  CHECK(results[1].masters_derived == 0);
  CHECK(results[1].client_finished == 1);
  CHECK(results[1].server_finished == 1);
  CHECK(results[1].tamper_rejections > 0);
}

TEST_CASE("TLS 1.2 PSK (GnuTLS): AES-128-CCM and AES-256-GCM-SHA384, PSK pre-master to master", "[crypto][fixture]") {
  KeyMaterial keys;
  keys.psk = from_hex("ca19e028a8a372ad2d325f950fcaceed");  // tls.psk of the upstream test
  SECTION("tls12-aes128ccm") {
    keys.add_keylog_text(text_of(fixtures_dir() + "captures/tls12-aes128ccm.expected/session-keys.txt"));
    const auto results = decode_fixture("tls12-aes128ccm.pcap", "tls12-aes128ccm", keys, 1);
    CHECK(results[0].version == 0x0303);
    CHECK(results[0].suite == 0xC0A4);  // TLS_PSK_WITH_AES_128_CCM
    CHECK(results[0].masters_matched == 1);
    CHECK(results[0].client_finished == 1);
    CHECK(results[0].server_finished == 1);
  }
  SECTION("tls12-aes256gcm") {
    keys.add_keylog_text(text_of(fixtures_dir() + "captures/tls12-aes256gcm.expected/session-keys.txt"));
    const auto results = decode_fixture("tls12-aes256gcm.pcap", "tls12-aes256gcm", keys, 1);
    CHECK(results[0].suite == 0x00A9);  // TLS_PSK_WITH_AES_256_GCM_SHA384: PRF with SHA-384
    CHECK(results[0].masters_matched == 1);
    CHECK(results[0].client_finished == 1);
    CHECK(results[0].server_finished == 1);
  }
}

TEST_CASE("TLS 1.2 ChaCha20-Poly1305 with seven key exchanges (key log)", "[crypto][fixture]") {
  KeyMaterial keys;
  keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls12-chacha20poly1305.keys"));
  const auto results = decode_fixture("tls12-chacha20poly1305.pcap", "tls12-chacha20poly1305", keys, 7);
  std::vector<std::uint16_t> suites;
  for (const auto& r : results) {
    suites.push_back(r.suite);
    CHECK(r.client_finished == 1);
    CHECK(r.server_finished == 1);
  }
  std::sort(suites.begin(), suites.end());
  CHECK(suites == std::vector<std::uint16_t>{0xCCA8, 0xCCA9, 0xCCAA, 0xCCAB, 0xCCAC, 0xCCAD, 0xCCAE});
}

TEST_CASE("TLS 1.3 draft 20 (0x7f14): ChaCha20-Poly1305 without record-header AAD", "[crypto][fixture]") {
  KeyMaterial keys;
  keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls13-20-chacha20poly1305.keys"));
  const auto results = decode_fixture("tls13-20-chacha20poly1305.pcap", "tls13-20-chacha20poly1305", keys, 2);
  for (const auto& r : results) {
    CHECK(r.version == 0x7f14);
    CHECK(r.suite == 0x1303);
    CHECK(r.client_finished == 1);
    CHECK(r.server_finished == 1);
  }
}

TEST_CASE("TLS 1.3 (RFC 8446): AES-128-GCM, PSK resumption with 0-RTT early data", "[crypto][fixture]") {
  KeyMaterial keys;
  keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls13-rfc8446.keys"));
  const auto results = decode_fixture("tls13-rfc8446.pcap", "tls13-rfc8446", keys, 2);
  for (const auto& r : results) {
    CHECK(r.version == 0x0304);
    CHECK(r.suite == 0x1301);
    CHECK(r.client_finished == 1);
    CHECK(r.server_finished == 1);
  }
}

TEST_CASE("TLS 1.3 (RFC 8446) without the early secret: 0-RTT records skipped, the rest decrypts",
          "[crypto][fixture]") {
  KeyMaterial keys;
  keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls13-rfc8446-noearly.keys"));
  const auto results = decode_fixture("tls13-rfc8446.pcap", "tls13-rfc8446-noearly", keys, 2);
  CHECK(results[0].early_records_skipped == 0);
  CHECK(results[1].early_records_skipped >= 1);
  CHECK(results[1].client_finished == 1);
  CHECK(results[1].server_finished == 1);
}

TEST_CASE("TLS 1.0 (dmgr): RSA key from the PKCS#12 file, AES-128-CBC with chained IVs", "[crypto][fixture]") {
  // keys/key.p12.pem is the fixture's own PEM export of keys/key.p12.
  PkeyPtr key = load_private_key(fixtures_dir() + "keys/key.p12.pem");
  KeyMaterial keys;
  keys.rsa_key = key.get();
  keys.add_keylog_text(text_of(fixtures_dir() + "captures/dmgr.expected/session-keys.txt"));
  const auto results = decode_fixture("dmgr.pcapng", "dmgr", keys, 1);
  CHECK(results[0].version == 0x0301);
  CHECK(results[0].suite == 0x002F);
  CHECK(results[0].masters_derived == 1);
  CHECK(results[0].masters_matched == 1);
  CHECK(results[0].client_finished == 1);
  CHECK(results[0].server_finished == 1);
}

TEST_CASE("TLS 1.0 (dhe1): resumed DHE session from the key log, with an empty record", "[crypto][fixture]") {
  KeyMaterial keys;
  keys.add_keylog_text(text_of(fixtures_dir() + "keys/dhe1_keylog.dat"));
  const auto results = decode_fixture("dhe1.pcapng", "dhe1", keys, 1);
  CHECK(results[0].version == 0x0301);
  CHECK(results[0].suite == 0x0039);  // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
  CHECK(results[0].client_finished == 1);
  CHECK(results[0].server_finished == 1);
}

TEST_CASE("TLS 1.2 AES-GCM key-log captures (tls12-dsb, http2-data-reassembly, http2-brotli)", "[crypto][fixture]") {
  KeyMaterial keys;
  SECTION("tls12-dsb: raw IPv4 pcapng, ECDHE-RSA AES-128-GCM") {
    keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls12-dsb-1.keys"));
    keys.add_keylog_text(text_of(fixtures_dir() + "keys/tls12-dsb-2.keys"));
    for (const auto& r : decode_fixture("tls12-dsb.pcapng", "tls12-dsb", keys, 2)) {
      CHECK(r.suite == 0xC02F);
      CHECK(r.client_finished == 1);
      CHECK(r.server_finished == 1);
    }
  }
  SECTION("http2-data-reassembly: ECDHE-ECDSA AES-128-GCM, a retransmitted segment") {
    keys.add_keylog_text(text_of(fixtures_dir() + "keys/http2-data-reassembly.keys"));
    const auto results = decode_fixture("http2-data-reassembly.pcap", "http2-data-reassembly", keys, 1);
    CHECK(results[0].suite == 0xC02B);
    CHECK(results[0].server_finished == 1);
  }
  SECTION("http2-brotli: ECDHE-RSA AES-256-GCM-SHA384") {
    keys.add_keylog_text(text_of(fixtures_dir() + "keys/http2-brotli.dsb.keys"));
    const auto results = decode_fixture("http2-brotli.pcapng", "http2-brotli", keys, 1);
    CHECK(results[0].suite == 0xC030);
    CHECK(results[0].server_finished == 1);
  }
}
