// HMAC (RFC 2104) with one key and many messages: the digest states after the
// key's inner and outer pads are computed once, and each message starts from a
// copy of them, so that it costs only its own compression blocks.
//
// Why not EVP_MAC: in OpenSSL 3.0 restarting an HMAC context duplicates a
// provider digest context twice per message (an allocation, a free and a
// cleanse each), and every update goes through the provider. On long-lived
// CBC connections of 100-600 byte records the record MAC was 27% of the
// decryption's CPU (perf), and this took 9% off the whole (20 connections of
// 3,500 exchanges, medians of 11 runs). The states here are plain structs of
// OpenSSL's low-level digests, copied by value; the hashing is OpenSSL's.
//
// Internal to core/crypto. Not thread safe; movable; the states are cleansed on
// destruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>

#include "core/crypto/cipher_suite.h"
#include "core/result.h"

namespace tlsring::crypto {

class KeyedHmac {
 public:
  static constexpr std::size_t kMaxLength = 48;  // SHA-384

  // `digest` is md5, sha1, sha256 or sha384 (not aead).
  static Result<KeyedHmac> create(MacAlgorithm digest, std::span<const std::uint8_t> key);

  KeyedHmac(KeyedHmac&&) noexcept;
  KeyedHmac& operator=(KeyedHmac&&) noexcept;
  ~KeyedHmac();

  std::size_t length() const;

  // Writes length() bytes to `out`: the HMAC of the parts one after another.
  void compute(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out) const;

  class State;

 private:
  explicit KeyedHmac(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tlsring::crypto
