#include "core/keys/rsa_crt.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>

namespace tlsring::keys::detail {

namespace {

BignumPtr bn_param(const EVP_PKEY& key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(&key, name, &value) != 1) return nullptr;
  return BignumPtr(value);
}

BnMontCtxPtr montgomery(const BIGNUM& modulus, BN_CTX& ctx) {
  BnMontCtxPtr mont(BN_MONT_CTX_new());
  if (!mont || BN_MONT_CTX_set(mont.get(), &modulus, &ctx) != 1) return nullptr;
  return mont;
}

// RFC 8017 §7.2.2 step 3: EM = 0x00 || 0x02 || PS || 0x00 || M, with PS at
// least 8 non-zero bytes.
std::optional<std::vector<std::uint8_t>> pkcs1_type2_message(std::span<const std::uint8_t> em) {
  constexpr std::size_t kMinPadding = 8;
  if (em.size() < 2 + kMinPadding + 1 || em[0] != 0x00 || em[1] != 0x02) return std::nullopt;
  const auto separator = std::find(em.begin() + 2, em.end(), std::uint8_t{0});
  if (separator == em.end() || separator - (em.begin() + 2) < static_cast<std::ptrdiff_t>(kMinPadding)) {
    return std::nullopt;
  }
  return std::vector<std::uint8_t>(separator + 1, em.end());
}

// A premaster-sized message through the public key and back: proves the
// parameters consistent before they are trusted with real premasters.
bool round_trips(EVP_PKEY& key, const RsaCrt& crt) {
  std::array<std::uint8_t, 48> message{};
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<std::uint8_t>(0x30 + i);
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, &key, nullptr));
  std::size_t length = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &length, message.data(), message.size()) <= 0) {
    return false;
  }
  std::vector<std::uint8_t> ciphertext(length);
  if (EVP_PKEY_encrypt(ctx.get(), ciphertext.data(), &length, message.data(), message.size()) <= 0) return false;
  ciphertext.resize(length);
  const auto decrypted = crt.decrypt(ciphertext);
  return decrypted && std::equal(decrypted->begin(), decrypted->end(), message.begin(), message.end());
}

}  // namespace

std::optional<RsaCrt> RsaCrt::of(EVP_PKEY& key) {
  ErrorMark mark;
  if (EVP_PKEY_is_a(&key, "RSA") != 1) return std::nullopt;
  // A third factor: a multi-prime key (RFC 8017 §3.2), which this does not do.
  if (bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR3)) return std::nullopt;
  RsaCrt crt;
  crt.n_ = bn_param(key, OSSL_PKEY_PARAM_RSA_N);
  crt.p_ = bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR1);
  crt.q_ = bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR2);
  crt.dp_ = bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT1);
  crt.dq_ = bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT2);
  crt.qinv_ = bn_param(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  if (!crt.n_ || !crt.p_ || !crt.q_ || !crt.dp_ || !crt.dq_ || !crt.qinv_) return std::nullopt;
  BnCtxPtr ctx(BN_CTX_new());
  if (!ctx) return std::nullopt;
  crt.mont_p_ = montgomery(*crt.p_, *ctx);
  crt.mont_q_ = montgomery(*crt.q_, *ctx);
  if (!crt.mont_p_ || !crt.mont_q_) return std::nullopt;
  crt.modulus_bytes_ = static_cast<std::size_t>(BN_num_bytes(crt.n_.get()));
  if (!round_trips(key, crt)) return std::nullopt;
  return crt;
}

std::optional<std::vector<std::uint8_t>> RsaCrt::decrypt(std::span<const std::uint8_t> ciphertext) const {
  if (ciphertext.empty() || ciphertext.size() > modulus_bytes_) return std::nullopt;
  BnCtxPtr ctx(BN_CTX_new());
  if (!ctx) return std::nullopt;
  BN_CTX_start(ctx.get());
  BIGNUM* c = BN_CTX_get(ctx.get());
  BIGNUM* cp = BN_CTX_get(ctx.get());
  BIGNUM* cq = BN_CTX_get(ctx.get());
  BIGNUM* m1 = BN_CTX_get(ctx.get());
  BIGNUM* m2 = BN_CTX_get(ctx.get());
  BIGNUM* h = BN_CTX_get(ctx.get());
  BIGNUM* m = BN_CTX_get(ctx.get());
  std::vector<std::uint8_t> em(modulus_bytes_);
  // c^d mod n = m2 + q * (qInv * (m1 - m2) mod p), where m1 = c^dP mod p and
  // m2 = c^dQ mod q (RFC 8017 §5.1.2, 2.b).
  const bool ok = m != nullptr && BN_bin2bn(ciphertext.data(), static_cast<int>(ciphertext.size()), c) != nullptr &&
                  BN_cmp(c, n_.get()) < 0 && BN_mod(cp, c, p_.get(), ctx.get()) == 1 &&
                  BN_mod(cq, c, q_.get(), ctx.get()) == 1 &&
                  BN_mod_exp_mont_consttime_x2(m1, cp, dp_.get(), p_.get(), mont_p_.get(), m2, cq, dq_.get(),
                                               q_.get(), mont_q_.get(), ctx.get()) == 1 &&
                  BN_mod_sub(h, m1, m2, p_.get(), ctx.get()) == 1 &&
                  BN_mod_mul(h, h, qinv_.get(), p_.get(), ctx.get()) == 1 && BN_mul(m, h, q_.get(), ctx.get()) == 1 &&
                  BN_add(m, m, m2) == 1 && BN_bn2binpad(m, em.data(), static_cast<int>(em.size())) >= 0;
  // The intermediate values are the premaster in other forms.
  for (BIGNUM* secret : {cp, cq, m1, m2, h, m}) {
    if (secret != nullptr) BN_clear(secret);
  }
  BN_CTX_end(ctx.get());
  std::optional<std::vector<std::uint8_t>> message;
  if (ok) message = pkcs1_type2_message(em);
  OPENSSL_cleanse(em.data(), em.size());
  return message;
}

}  // namespace tlsring::keys::detail
