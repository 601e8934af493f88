// The RecordCipher implementations behind RecordCipher::create and
// create_tls13, one factory per family, plus the helpers they share. Internal
// to core/crypto: callers use record_cipher.h. Arguments are already checked
// against cipher_parameters() by the public factories.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/crypto/cipher_suite.h"
#include "core/openssl_ptr.h"
#include "core/crypto/record_cipher.h"
#include "core/result.h"

namespace tlsring::crypto {

using Bytes = std::span<const std::uint8_t>;
using RecordCipherResult = Result<std::unique_ptr<RecordCipher>>;

// NULL (MAC only) and RC4.
RecordCipherResult make_stream_cipher(std::uint16_t version, const CipherSuite& suite, Bytes key, Bytes mac_key);
// DES, 3DES, AES and Camellia in CBC mode, MAC-then-encrypt or RFC 7366 encrypt-then-MAC.
RecordCipherResult make_cbc_cipher(std::uint16_t version, const CipherSuite& suite, Bytes key, Bytes iv,
                                   Bytes mac_key, bool encrypt_then_mac);
// TLS 1.2 AES-GCM, AES-CCM(_8) (RFC 5288, 6655) and ChaCha20-Poly1305 (RFC 7905).
RecordCipherResult make_tls12_aead_cipher(const CipherSuite& suite, Bytes key, Bytes iv);
// TLS 1.3 and its drafts (RFC 8446 §5.2-5.4).
RecordCipherResult make_tls13_cipher(const CipherSuite& suite, Bytes key, Bytes iv, std::uint16_t version);

// The EVP_CIPHER for a bulk cipher, loading the legacy provider for RC4 and single DES.
Result<CipherPtr> fetch_cipher(BulkCipher cipher);

// Room for `size` bytes (at least 1: OpenSSL must never get a null output
// pointer) at out.data(). `out` only grows: the buffer a direction reuses
// record after record is not cleared and zeroed again whenever a record is
// longer than the one before.
inline std::uint8_t* output_room(std::vector<std::uint8_t>& out, std::size_t size) {
  if (out.size() < std::max<std::size_t>(size, 1)) out.resize(std::max<std::size_t>(size, 1));
  return out.data();
}

// The 5-byte record header, split.
struct RecordHeader {
  std::uint8_t type = 0;
  std::span<const std::uint8_t, 2> version;
};
Result<RecordHeader> split_header(Bytes header);

}  // namespace tlsring::crypto
