// The cipher suite registry: IANA ids and names, classification, and record
// parameters. libssl's own cipher table is the independent reference for every
// suite OpenSSL implements; RFC text for the rest.
#include <openssl/ssl.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/crypto/cipher_suite.h"

using namespace tlsring::crypto;

namespace {

const CipherSuite& suite(std::uint16_t id) {
  const CipherSuite* s = find_cipher_suite(id);
  INFO("suite 0x" << std::hex << id);
  REQUIRE(s != nullptr);
  return *s;
}

KeyExchange expected_kx(const SSL_CIPHER* c) {
  const int kx = SSL_CIPHER_get_kx_nid(c);
  const int auth = SSL_CIPHER_get_auth_nid(c);
  const bool anonymous = auth == NID_auth_null;
  if (kx == NID_kx_any) return KeyExchange::tls13;
  if (kx == NID_kx_rsa) return KeyExchange::rsa;
  if (kx == NID_kx_dhe) return anonymous ? KeyExchange::other : KeyExchange::dhe;
  if (kx == NID_kx_ecdhe) return anonymous ? KeyExchange::other : KeyExchange::ecdhe;
  if (kx == NID_kx_psk) return KeyExchange::psk;
  if (kx == NID_kx_rsa_psk) return KeyExchange::rsa_psk;
  if (kx == NID_kx_dhe_psk) return KeyExchange::dhe_psk;
  if (kx == NID_kx_ecdhe_psk) return KeyExchange::ecdhe_psk;
  return KeyExchange::other;  // SRP
}

BulkCipher expected_cipher(const SSL_CIPHER* c) {
  const std::string name = SSL_CIPHER_get_name(c);
  const bool ccm8 = name.find("CCM8") != std::string::npos || name.find("CCM_8") != std::string::npos;
  switch (SSL_CIPHER_get_cipher_nid(c)) {
    case NID_undef: return BulkCipher::null;
    case NID_rc4: return BulkCipher::rc4_128;
    case NID_des_cbc: return BulkCipher::des_cbc;
    case NID_des_ede3_cbc: return BulkCipher::des_ede3_cbc;
    case NID_aes_128_cbc: return BulkCipher::aes_128_cbc;
    case NID_aes_256_cbc: return BulkCipher::aes_256_cbc;
    case NID_camellia_128_cbc: return BulkCipher::camellia_128_cbc;
    case NID_camellia_256_cbc: return BulkCipher::camellia_256_cbc;
    case NID_aes_128_gcm: return BulkCipher::aes_128_gcm;
    case NID_aes_256_gcm: return BulkCipher::aes_256_gcm;
    case NID_aes_128_ccm: return ccm8 ? BulkCipher::aes_128_ccm_8 : BulkCipher::aes_128_ccm;
    case NID_aes_256_ccm: return ccm8 ? BulkCipher::aes_256_ccm_8 : BulkCipher::aes_256_ccm;
    case NID_chacha20_poly1305: return BulkCipher::chacha20_poly1305;
    default: return BulkCipher::unsupported;  // ARIA
  }
}

MacAlgorithm expected_mac(const SSL_CIPHER* c) {
  if (SSL_CIPHER_is_aead(c)) return MacAlgorithm::aead;
  switch (SSL_CIPHER_get_digest_nid(c)) {
    case NID_md5: return MacAlgorithm::md5;
    case NID_sha1: return MacAlgorithm::sha1;
    case NID_sha256: return MacAlgorithm::sha256;
    case NID_sha384: return MacAlgorithm::sha384;
    default: return MacAlgorithm::aead;
  }
}

}  // namespace

TEST_CASE("registry agrees with libssl's cipher table on every suite libssl knows", "[crypto][registry]") {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_method()), SSL_CTX_free);
  SSL_CTX_set_security_level(ctx.get(), 0);
  REQUIRE(SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1);
  REQUIRE(SSL_CTX_set_ciphersuites(ctx.get(),
                                   "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                   "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256") == 1);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  const int count = sk_SSL_CIPHER_num(ciphers);
  CHECK(count > 150);
  for (int i = 0; i < count; ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const std::uint16_t id = SSL_CIPHER_get_protocol_id(c);
    INFO(SSL_CIPHER_get_name(c) << " 0x" << std::hex << id);
    const CipherSuite* s = find_cipher_suite(id);
    REQUIRE(s != nullptr);
    CHECK(s->name == SSL_CIPHER_standard_name(c));
    CHECK(s->key_exchange == expected_kx(c));
    CHECK(s->cipher == expected_cipher(c));
    CHECK(s->mac == expected_mac(c));
    // libssl's handshake digest is the TLS 1.2 PRF / TLS 1.3 HKDF hash.
    const EVP_MD* prf = SSL_CIPHER_get_handshake_digest(c);
    REQUIRE(prf != nullptr);
    CHECK((s->prf == PrfHash::sha384) == (EVP_MD_get_type(prf) == NID_sha384));
  }
}

TEST_CASE("registry: IANA names and ids outside libssl", "[crypto][registry]") {
  struct Entry {
    std::uint16_t id;
    const char* name;
    KeyExchange kx;
    BulkCipher cipher;
    MacAlgorithm mac;
  };
  // RFC 5246 Appendix C, RFC 4279, 4492, 6655, 7905, 8446 B.4.
  const Entry entries[] = {
      {0x0001, "TLS_RSA_WITH_NULL_MD5", KeyExchange::rsa, BulkCipher::null, MacAlgorithm::md5},
      {0x0002, "TLS_RSA_WITH_NULL_SHA", KeyExchange::rsa, BulkCipher::null, MacAlgorithm::sha1},
      {0x003B, "TLS_RSA_WITH_NULL_SHA256", KeyExchange::rsa, BulkCipher::null, MacAlgorithm::sha256},
      {0x0004, "TLS_RSA_WITH_RC4_128_MD5", KeyExchange::rsa, BulkCipher::rc4_128, MacAlgorithm::md5},
      {0x0005, "TLS_RSA_WITH_RC4_128_SHA", KeyExchange::rsa, BulkCipher::rc4_128, MacAlgorithm::sha1},
      {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", KeyExchange::rsa, BulkCipher::des_cbc, MacAlgorithm::sha1},
      {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::rsa, BulkCipher::des_ede3_cbc, MacAlgorithm::sha1},
      {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", KeyExchange::dhe, BulkCipher::des_ede3_cbc, MacAlgorithm::sha1},
      {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", KeyExchange::dhe, BulkCipher::des_cbc, MacAlgorithm::sha1},
      {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", KeyExchange::rsa, BulkCipher::aes_128_cbc, MacAlgorithm::sha1},
      {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", KeyExchange::rsa, BulkCipher::aes_256_cbc, MacAlgorithm::sha1},
      {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", KeyExchange::rsa, BulkCipher::camellia_256_cbc,
       MacAlgorithm::sha1},
      {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", KeyExchange::rsa, BulkCipher::camellia_128_cbc,
       MacAlgorithm::sha256},
      {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", KeyExchange::ecdhe, BulkCipher::rc4_128, MacAlgorithm::sha1},
      {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", KeyExchange::ecdhe, BulkCipher::des_ede3_cbc,
       MacAlgorithm::sha1},
      {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::ecdhe, BulkCipher::aes_256_gcm,
       MacAlgorithm::aead},
      {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", KeyExchange::rsa, BulkCipher::aes_128_ccm_8, MacAlgorithm::aead},
      {0xC0A4, "TLS_PSK_WITH_AES_128_CCM", KeyExchange::psk, BulkCipher::aes_128_ccm, MacAlgorithm::aead},
      {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", KeyExchange::dhe_psk, BulkCipher::aes_128_ccm_8,
       MacAlgorithm::aead},
      {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", KeyExchange::dhe_psk, BulkCipher::aes_256_ccm_8,
       MacAlgorithm::aead},
      {0x008A, "TLS_PSK_WITH_RC4_128_SHA", KeyExchange::psk, BulkCipher::rc4_128, MacAlgorithm::sha1},
      {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", KeyExchange::ecdhe_psk, BulkCipher::rc4_128, MacAlgorithm::sha1},
      {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::ecdhe_psk, BulkCipher::aes_128_gcm,
       MacAlgorithm::aead},
      {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::rsa_psk, BulkCipher::chacha20_poly1305,
       MacAlgorithm::aead},
      {0x1305, "TLS_AES_128_CCM_8_SHA256", KeyExchange::tls13, BulkCipher::aes_128_ccm_8, MacAlgorithm::aead},
      // Named but not decryptable.
      {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", KeyExchange::other, BulkCipher::unsupported, MacAlgorithm::md5},
      {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", KeyExchange::rsa, BulkCipher::unsupported, MacAlgorithm::sha1},
      {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", KeyExchange::rsa, BulkCipher::unsupported, MacAlgorithm::sha1},
      {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", KeyExchange::rsa, BulkCipher::unsupported, MacAlgorithm::aead},
      {0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", KeyExchange::rsa, BulkCipher::unsupported,
       MacAlgorithm::aead},
      {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", KeyExchange::other, BulkCipher::aes_128_cbc, MacAlgorithm::sha1},
      {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", KeyExchange::other, BulkCipher::unsupported,
       MacAlgorithm::sha1},
  };
  for (const Entry& e : entries) {
    const CipherSuite& s = suite(e.id);
    INFO(e.name);
    CHECK(s.name == e.name);
    CHECK(s.key_exchange == e.kx);
    CHECK(s.cipher == e.cipher);
    CHECK(s.mac == e.mac);
    CHECK(cipher_suite_name(e.id) == e.name);
  }
  // Every id in these ranges is registered.
  for (std::uint16_t id = 0xCCA8; id <= 0xCCAE; ++id) CHECK(suite(id).cipher == BulkCipher::chacha20_poly1305);
  for (std::uint16_t id = 0xC0A4; id <= 0xC0AB; ++id) CHECK(suite(id).key_exchange != KeyExchange::other);
  for (std::uint16_t id = 0x1301; id <= 0x1305; ++id) CHECK(suite(id).key_exchange == KeyExchange::tls13);

  CHECK(find_cipher_suite(0xC0FF) == nullptr);
  CHECK(cipher_suite_name(0xC0FF) == "0xC0FF (unknown)");
  CHECK(cipher_suite_name(0x0A0A) == "0x0A0A (unknown)");  // GREASE
  CHECK(to_string(KeyExchange::ecdhe) == "ECDHE");
  CHECK(to_string(KeyExchange::rsa) == "RSA");
}

TEST_CASE("PRF hash: SHA-384 exactly for the *_SHA384 suites", "[crypto][registry]") {
  CHECK(suite(0x009D).prf == PrfHash::sha384);  // TLS_RSA_WITH_AES_256_GCM_SHA384
  CHECK(suite(0xC030).prf == PrfHash::sha384);
  CHECK(suite(0x00B1).prf == PrfHash::sha384);  // TLS_PSK_WITH_NULL_SHA384
  CHECK(suite(0x1302).prf == PrfHash::sha384);  // TLS_AES_256_GCM_SHA384
  CHECK(suite(0x0035).prf == PrfHash::sha256);  // TLS_RSA_WITH_AES_256_CBC_SHA
  CHECK(suite(0xC0A1).prf == PrfHash::sha256);  // TLS_RSA_WITH_AES_256_CCM_8
  CHECK(suite(0xCCA8).prf == PrfHash::sha256);
}

TEST_CASE("cipher parameters per version (RFC 5246 6.2.3, RFC 2246, RFC 5288, 6655, 7905, 8446)",
          "[crypto][registry]") {
  struct Row {
    std::uint16_t id;
    std::uint16_t version;
    CipherParameters p;  // key, fixed iv, record iv, block, mac, mac key
  };
  const Row rows[] = {
      {0x002F, 0x0300, {16, 16, 0, 16, 20, 20}},  // SSL 3.0 AES-128-CBC: IV from the key block
      {0x002F, 0x0301, {16, 16, 0, 16, 20, 20}},
      {0x002F, 0x0302, {16, 0, 16, 16, 20, 20}},  // TLS 1.1: explicit IV per record
      {0x003D, 0x0303, {32, 0, 16, 16, 32, 32}},  // AES-256-CBC-SHA256
      {0x000A, 0x0301, {24, 8, 0, 8, 20, 20}},    // 3DES
      {0x000A, 0x0303, {24, 0, 8, 8, 20, 20}},
      {0x0009, 0x0300, {8, 8, 0, 8, 20, 20}},     // DES
      {0x0004, 0x0300, {16, 0, 0, 0, 16, 16}},    // RC4-MD5
      {0x0005, 0x0303, {16, 0, 0, 0, 20, 20}},
      {0x0001, 0x0301, {0, 0, 0, 0, 16, 16}},     // NULL-MD5
      {0x00B1, 0x0303, {0, 0, 0, 0, 48, 48}},     // NULL-SHA384
      {0x009C, 0x0303, {16, 4, 8, 0, 16, 0}},     // AES-128-GCM
      {0xC030, 0x0303, {32, 4, 8, 0, 16, 0}},
      {0xC0A4, 0x0303, {16, 4, 8, 0, 16, 0}},     // AES-128-CCM
      {0xC0A9, 0x0303, {32, 4, 8, 0, 8, 0}},      // AES-256-CCM_8: 8-byte tag
      {0xCCA8, 0x0303, {32, 12, 0, 0, 16, 0}},    // ChaCha20-Poly1305: iv XOR seq
      {0x1301, 0x0304, {16, 12, 0, 0, 16, 0}},
      {0x1302, 0x0304, {32, 12, 0, 0, 16, 0}},
      {0x1303, 0x7f14, {32, 12, 0, 0, 16, 0}},    // draft 20
      {0x1305, 0x0304, {16, 12, 0, 0, 8, 0}},
  };
  for (const Row& r : rows) {
    INFO(cipher_suite_name(r.id) << " " << version_name(r.version));
    const CipherParameters p = cipher_parameters(suite(r.id), r.version);
    CHECK(p.key_length == r.p.key_length);
    CHECK(p.fixed_iv_length == r.p.fixed_iv_length);
    CHECK(p.record_iv_length == r.p.record_iv_length);
    CHECK(p.block_size == r.p.block_size);
    CHECK(p.mac_length == r.p.mac_length);
    CHECK(p.mac_key_length == r.p.mac_key_length);
  }
}

TEST_CASE("version names", "[crypto][registry]") {
  CHECK(version_name(0x0300) == "SSL 3.0");
  CHECK(version_name(0x0301) == "TLS 1.0");
  CHECK(version_name(0x0302) == "TLS 1.1");
  CHECK(version_name(0x0303) == "TLS 1.2");
  CHECK(version_name(0x0304) == "TLS 1.3");
  CHECK(version_name(0x7f14) == "TLS 1.3 (draft 20)");
  CHECK(version_name(0x7f1c) == "TLS 1.3 (draft 28)");
  CHECK(version_name(0x1234) == "0x1234 (unknown)");
}
