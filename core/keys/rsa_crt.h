// The RSA private operation by the Chinese remainder theorem (RFC 8017 §5.1.2,
// step 2.b) on a two-prime key's p, q, dP, dQ and qInv, and the
// RSAES-PKCS1-v1_5 decoding of the result (RFC 8017 §7.2.2, step 3).
//
// Why not EVP_PKEY_decrypt: OpenSSL's private operation also blinds its input
// and checks its result with the public exponent. Those defend a server that
// answers its attackers (timing) or may be glitched into revealing its key
// (faults); offline, on a captured premaster, neither applies. They cost
// about 6% of each operation, and RSA operations bound how fast a capture of
// many short connections decrypts. The exponentiations are still OpenSSL's
// (BN_mod_exp_mont_consttime_x2: both halves at once, with AVX-512 IFMA where
// the CPU has it). The padding check need not be constant time either:
// there is no one to answer.
//
// Internal to core/keys. Immutable once made; decrypt() is thread safe.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/openssl_ptr.h"

namespace tlsring::keys::detail {

class RsaCrt {
 public:
  // Empty when `key` is not a two-prime RSA key with its CRT parameters, or
  // when a premaster encrypted with its public key does not come back (then
  // OpenSSL decrypts instead).
  static std::optional<RsaCrt> of(EVP_PKEY& key);

  // The message of an RSAES-PKCS1-v1_5 ciphertext of the modulus' size or
  // less; empty when the ciphertext is not below the modulus or the padding
  // does not check.
  std::optional<std::vector<std::uint8_t>> decrypt(std::span<const std::uint8_t> ciphertext) const;

 private:
  RsaCrt() = default;

  std::size_t modulus_bytes_ = 0;
  BignumPtr n_, p_, q_, dp_, dq_, qinv_;
  BnMontCtxPtr mont_p_, mont_q_;  // read only after of(): shared by the threads
};

}  // namespace tlsring::keys::detail
