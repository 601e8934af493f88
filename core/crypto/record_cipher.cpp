#include "core/crypto/record_cipher.h"

#include <array>
#include <mutex>

#include <string>

#include "core/crypto/openssl_error.h"
#include "core/crypto/providers.h"
#include "core/crypto/record_cipher_impl.h"

namespace tlsring::crypto {
namespace {

bool is_tls13_version(std::uint16_t version) { return version == 0x0304 || (version >> 8) == 0x7f; }

Status check_length(const char* what, std::size_t got, std::size_t want) {
  if (got == want) return {};
  return make_error(std::string(what) + " is " + std::to_string(got) + " bytes, expected " + std::to_string(want));
}

Status check_supported(const CipherSuite& suite) {
  if (suite.cipher == BulkCipher::unsupported) {
    return make_error("the cipher of " + std::string(suite.name) + " is not supported");
  }
  return {};
}

bool is_block_cipher(BulkCipher c) {
  switch (c) {
    case BulkCipher::des_cbc:
    case BulkCipher::des_ede3_cbc:
    case BulkCipher::aes_128_cbc:
    case BulkCipher::aes_256_cbc:
    case BulkCipher::camellia_128_cbc:
    case BulkCipher::camellia_256_cbc: return true;
    default: return false;
  }
}

}  // namespace

Result<CipherPtr> fetch_cipher(BulkCipher cipher) {
  const char* name = nullptr;
  bool legacy = false;
  switch (cipher) {
    case BulkCipher::rc4_128: name = "RC4"; legacy = true; break;
    case BulkCipher::des_cbc: name = "DES-CBC"; legacy = true; break;
    case BulkCipher::des_ede3_cbc: name = "DES-EDE3-CBC"; break;
    case BulkCipher::aes_128_cbc: name = "AES-128-CBC"; break;
    case BulkCipher::aes_256_cbc: name = "AES-256-CBC"; break;
    case BulkCipher::camellia_128_cbc: name = "CAMELLIA-128-CBC"; break;
    case BulkCipher::camellia_256_cbc: name = "CAMELLIA-256-CBC"; break;
    case BulkCipher::aes_128_gcm: name = "AES-128-GCM"; break;
    case BulkCipher::aes_256_gcm: name = "AES-256-GCM"; break;
    case BulkCipher::aes_128_ccm:
    case BulkCipher::aes_128_ccm_8: name = "AES-128-CCM"; break;
    case BulkCipher::aes_256_ccm:
    case BulkCipher::aes_256_ccm_8: name = "AES-256-CCM"; break;
    case BulkCipher::chacha20_poly1305: name = "ChaCha20-Poly1305"; break;
    case BulkCipher::null:
    case BulkCipher::unsupported: return make_error("no OpenSSL cipher for this suite");
  }
  if (legacy) {
    // OpenSSL 3 keeps RC4 and single DES in the legacy provider only.
    if (Status st = ensure_crypto_providers(); !st) return st.error();
  }
  // Fetching walks the providers' name tables; every connection needs two
  // ciphers, so each algorithm is fetched once per process and shared (an
  // EVP_CIPHER is immutable and reference counted).
  static std::mutex mutex;
  static std::array<EVP_CIPHER*, static_cast<std::size_t>(BulkCipher::unsupported) + 1> fetched{};
  std::lock_guard lock(mutex);
  EVP_CIPHER*& cached = fetched[static_cast<std::size_t>(cipher)];
  if (cached == nullptr) cached = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (cached == nullptr) return openssl_error(std::string("OpenSSL has no cipher ") + name);
  EVP_CIPHER_up_ref(cached);
  return CipherPtr(cached);
}

Result<RecordHeader> split_header(Bytes header) {
  if (header.size() != 5) return make_error("a record header is 5 bytes");
  return RecordHeader{header[0], header.subspan<1, 2>()};
}

Result<std::unique_ptr<RecordCipher>> RecordCipher::create(std::uint16_t version, const CipherSuite& suite,
                                                           std::span<const std::uint8_t> key,
                                                           std::span<const std::uint8_t> iv,
                                                           std::span<const std::uint8_t> mac_key,
                                                           bool encrypt_then_mac) {
  if (Status st = check_supported(suite); !st) return st.error();
  if (is_tls13_version(version) || suite.key_exchange == KeyExchange::tls13) {
    return make_error(std::string(suite.name) + " under " + version_name(version) + " needs create_tls13");
  }
  if (version < 0x0300) return make_error("record protection of " + version_name(version) + " is not supported");
  const CipherParameters p = cipher_parameters(suite, version);
  if (Status st = check_length("key", key.size(), p.key_length); !st) return st.error();
  if (Status st = check_length("IV", iv.size(), p.fixed_iv_length); !st) return st.error();
  if (Status st = check_length("MAC key", mac_key.size(), p.mac_key_length); !st) return st.error();
  if (suite.is_aead()) return make_tls12_aead_cipher(suite, key, iv);
  // RFC 7366 applies to block ciphers only; for the others the flag means nothing.
  if (is_block_cipher(suite.cipher)) {
    if (encrypt_then_mac && version == 0x0300) return make_error("SSL 3.0 has no encrypt-then-MAC");
    return make_cbc_cipher(version, suite, key, iv, mac_key, encrypt_then_mac);
  }
  return make_stream_cipher(version, suite, key, mac_key);
}

Result<std::unique_ptr<RecordCipher>> RecordCipher::create_tls13(const CipherSuite& suite,
                                                                 std::span<const std::uint8_t> key,
                                                                 std::span<const std::uint8_t> iv) {
  return create_tls13(suite, key, iv, 0x0304);
}

Result<std::unique_ptr<RecordCipher>> RecordCipher::create_tls13(const CipherSuite& suite,
                                                                 std::span<const std::uint8_t> key,
                                                                 std::span<const std::uint8_t> iv,
                                                                 std::uint16_t version) {
  if (Status st = check_supported(suite); !st) return st.error();
  if (!suite.is_aead()) return make_error(std::string(suite.name) + " is not an AEAD suite");
  if (!is_tls13_version(version)) return make_error(version_name(version) + " is not TLS 1.3");
  const CipherParameters p = cipher_parameters(suite, version);
  if (Status st = check_length("key", key.size(), p.key_length); !st) return st.error();
  if (Status st = check_length("IV", iv.size(), p.fixed_iv_length); !st) return st.error();
  return make_tls13_cipher(suite, key, iv, version);
}

}  // namespace tlsring::crypto
