// The cipher suite registry: IANA id -> name, key exchange, record protection
// and PRF hash. Covers every suite the decryptor supports and names the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tlsring::crypto {

enum class KeyExchange {
  rsa,        // decryptable with the server's RSA key
  dhe, ecdhe, // ephemeral: need a key log
  psk, rsa_psk, dhe_psk, ecdhe_psk,
  tls13,      // TLS 1.3 suites: key log only
  other,      // SRP, Kerberos, anonymous, GOST, ...
};

enum class BulkCipher {
  null,
  rc4_128,
  des_cbc,
  des_ede3_cbc,
  aes_128_cbc, aes_256_cbc,
  camellia_128_cbc, camellia_256_cbc,
  aes_128_gcm, aes_256_gcm,
  aes_128_ccm, aes_256_ccm,
  aes_128_ccm_8, aes_256_ccm_8,
  chacha20_poly1305,
  unsupported,  // ARIA, SEED, IDEA, RC2, export ciphers, ...
};

enum class MacAlgorithm { aead, md5, sha1, sha256, sha384 };
enum class PrfHash { sha256, sha384 };  // TLS 1.2 PRF / TLS 1.3 HKDF hash

struct CipherSuite {
  std::uint16_t id = 0;
  std::string_view name;    // IANA name, e.g. "TLS_RSA_WITH_AES_128_GCM_SHA256"
  KeyExchange key_exchange = KeyExchange::other;
  BulkCipher cipher = BulkCipher::unsupported;
  MacAlgorithm mac = MacAlgorithm::sha1;
  PrfHash prf = PrfHash::sha256;

  bool is_aead() const { return mac == MacAlgorithm::aead; }
};

// nullptr for an id not in the registry.
const CipherSuite* find_cipher_suite(std::uint16_t id);
// The IANA name, or "0xC0FF (unknown)" for an id not in the registry.
std::string cipher_suite_name(std::uint16_t id);
std::string_view to_string(KeyExchange kx);

struct CipherParameters {
  std::size_t key_length = 0;
  std::size_t fixed_iv_length = 0;     // CBC: block IV (TLS 1.0 / SSL 3.0); AEAD: implicit part
  std::size_t record_iv_length = 0;    // explicit per-record IV/nonce (TLS 1.1+ CBC, GCM/CCM: 8)
  std::size_t block_size = 0;          // 0 for stream and AEAD
  std::size_t mac_length = 0;          // HMAC output, or the AEAD tag
  std::size_t mac_key_length = 0;      // 0 for AEAD
};
// Lengths for `suite` under `version` (0x0300..0x0304, or a TLS 1.3 draft 0x7fXX).
CipherParameters cipher_parameters(const CipherSuite& suite, std::uint16_t version);

// Name of a protocol version: "SSL 3.0", "TLS 1.0" ... "TLS 1.3", "TLS 1.3 (draft 20)".
std::string version_name(std::uint16_t version);

}  // namespace tlsring::crypto
