// Record protection, one direction of one connection: decrypts and
// authenticates each record's fragment. The OpenSSL contexts are created once
// and reused for every record (no allocation per record beyond `out` growing).
//
// Contract:
//  - decrypt() checks the MAC (constant time), the CBC padding and the AEAD tag;
//    any failure is an error and leaves the cipher state as it was, so the
//    caller may retry the same record with another sequence number.
//  - Success advances the implicit state (TLS 1.0/SSL 3.0 CBC IV chaining, RC4
//    keystream) but not the sequence number, which the caller passes in.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/crypto/cipher_suite.h"
#include "core/result.h"

namespace tlsring::crypto {

struct DecryptedRecord {
  std::uint8_t content_type = 0;          // TLS 1.3: the inner content type
  std::span<const std::uint8_t> plaintext;  // a view into the `out` buffer passed in
};

class RecordCipher {
 public:
  virtual ~RecordCipher() = default;

  // SSL 3.0 - TLS 1.2. `mac_key` is empty for AEAD suites; `iv` is the CBC IV
  // (SSL 3.0/TLS 1.0) or the AEAD implicit nonce (4 bytes GCM/CCM, 12 ChaCha20).
  static Result<std::unique_ptr<RecordCipher>> create(std::uint16_t version, const CipherSuite& suite,
                                                      std::span<const std::uint8_t> key,
                                                      std::span<const std::uint8_t> iv,
                                                      std::span<const std::uint8_t> mac_key,
                                                      bool encrypt_then_mac);
  // TLS 1.3 (RFC 8446 §5.2-5.3, drafts >= 20): key and 12-byte iv from a traffic secret.
  static Result<std::unique_ptr<RecordCipher>> create_tls13(const CipherSuite& suite,
                                                            std::span<const std::uint8_t> key,
                                                            std::span<const std::uint8_t> iv);
  // The same for a given record-layer `version`: 0x0304, or a draft 0x7fXX.
  // Drafts before 25 authenticate no additional data; draft 25 and RFC 8446
  // use the 5-byte record header as AAD. The overload above means 0x0304.
  static Result<std::unique_ptr<RecordCipher>> create_tls13(const CipherSuite& suite,
                                                            std::span<const std::uint8_t> key,
                                                            std::span<const std::uint8_t> iv,
                                                            std::uint16_t version);

  // `header` is the record's 5-byte header as on the wire (type, version,
  // length), `fragment` its body. For TLS 1.3 the inner content type is
  // stripped with the zero padding and returned in content_type.
  // True when a record's decryption depends on the bytes of the record before
  // it (SSL 3.0 / TLS 1.0 CBC chain their IV; RC4 runs one keystream).
  virtual bool chains_records() const { return false; }
  // After lost records: take the state the record `fragment` leaves behind,
  // without decrypting it (its first block cannot be recovered). Returns false
  // where the cipher cannot resynchronise (a stream cipher).
  virtual bool resynchronize(std::span<const std::uint8_t> /*fragment*/) { return true; }

  virtual Result<DecryptedRecord> decrypt(std::span<const std::uint8_t> header, std::uint64_t sequence_number,
                                          std::span<const std::uint8_t> fragment,
                                          std::vector<std::uint8_t>& out) = 0;
};

}  // namespace tlsring::crypto
