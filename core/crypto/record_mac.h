// The MAC of a TLS 1.0-1.2 record (RFC 5246 §6.2.3.1: HMAC over
// seq_num + type + version + length + data) or of an SSL 3.0 record (RFC 6101
// §5.2.3.1: the nested MD5/SHA-1 construction over seq_num + type + length +
// data). Internal to core/crypto; one instance per direction, reused for every
// record without allocating.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/crypto/cipher_suite.h"
#include "core/crypto/keyed_hmac.h"
#include "core/openssl_ptr.h"
#include "core/result.h"

namespace tlsring::crypto {

class RecordMac {
 public:
  static constexpr std::size_t kMaxLength = KeyedHmac::kMaxLength;

  // `mac` must not be aead; `key` is the MAC write secret.
  static Result<RecordMac> create(std::uint16_t version, MacAlgorithm mac, std::span<const std::uint8_t> key);

  std::size_t length() const { return length_; }

  // Writes length() bytes to `out`. `version` holds the record's two version
  // bytes (unused by SSL 3.0); the length field is data.size().
  Status compute(std::uint64_t sequence_number, std::uint8_t type, std::span<const std::uint8_t, 2> version,
                 std::span<const std::uint8_t> data, std::uint8_t* out);

 private:
  RecordMac() = default;
  Status compute_ssl3(std::span<const std::uint8_t> header, std::span<const std::uint8_t> data, std::uint8_t* out);

  bool ssl3_ = false;
  std::size_t length_ = 0;
  std::optional<KeyedHmac> hmac_;       // TLS
  MdCtxPtr md_;                         // SSL 3.0
  MdPtr ssl3_md_;                       // SSL 3.0: MD5 or SHA-1, fetched once
  std::array<std::uint8_t, 20> ssl3_secret_{};
  std::size_t ssl3_pad_length_ = 0;     // 48 for MD5, 40 for SHA-1
};

}  // namespace tlsring::crypto
