#include "core/keys/rsa_private_key.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/crypto/providers.h"
#include "core/keys/key_decoding.h"
#include "core/openssl_ptr.h"
#include "core/keys/public_key_id.h"
#include "core/keys/read_file.h"
#include "core/keys/rsa_crt.h"

namespace tlsring::keys {

namespace {

// A key file is a few KB; a larger file is some other file given by mistake.
constexpr std::uintmax_t kMaxKeyFileBytes = 1024 * 1024;

Result<EvpPkeyCtxPtr> make_decrypt_context(EVP_PKEY& key) {
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, &key, nullptr));
  if (!context || EVP_PKEY_decrypt_init(context.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_PADDING) <= 0) {
    return make_error("cannot set up RSA decryption (" + detail::last_openssl_reason() + ")");
  }
#ifdef OSSL_PKEY_PARAM_IMPLICIT_REJECTION
  // OpenSSL >= 3.2 answers a bad padding with random bytes (a Marvin-attack
  // defence for servers). Offline, with no oracle to protect, an error is what
  // tells a key that does not match.
  unsigned int implicit_rejection = 0;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_IMPLICIT_REJECTION, &implicit_rejection),
                         OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_set_params(context.get(), params) <= 0) {
    return make_error("cannot turn off RSA implicit rejection (" + detail::last_openssl_reason() + ")");
  }
#endif
  return context;
}

Error padding_error() {
  return make_error(
      "RSA decryption failed: the PKCS#1 padding does not check (the key does not match the server "
      "certificate, or the encrypted premaster is damaged)");
}

}  // namespace

struct RsaPrivateKey::Handle {
  EvpPkeyPtr key;
  std::optional<detail::RsaCrt> crt;  // the faster way, where the key allows it (see rsa_crt.h)
};

Result<RsaPrivateKey> RsaPrivateKey::load(const std::filesystem::path& path,
                                          const std::optional<std::string>& password) {
  Result<std::string> contents = detail::read_file(path, kMaxKeyFileBytes, "a key file");
  if (!contents) return contents.error();
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(contents->data()), contents->size());
  Result<RsaPrivateKey> key = parse(bytes, path.string(), password);
  OPENSSL_cleanse(contents->data(), contents->size());
  return key;
}

Result<RsaPrivateKey> RsaPrivateKey::parse(std::span<const std::uint8_t> contents, const std::string& source_name,
                                           const std::optional<std::string>& password) {
  ErrorMark mark;
  // Before any decoding: the legacy provider holds the RC2/3DES PBEs of
  // Windows .pfx files. Its failure only matters if such a file comes, and the
  // PKCS#12 decoder reports it then.
  (void)crypto::ensure_crypto_providers();

  Result<EvpPkeyPtr> decoded = detail::decode_private_key(contents, password);
  if (!decoded) return decoded.error().with_context(source_name);
  EvpPkeyPtr pkey = std::move(*decoded);
  if (EVP_PKEY_is_a(pkey.get(), "RSA") != 1) {
    const char* type = EVP_PKEY_get0_type_name(pkey.get());
    return detail::not_rsa_error(type != nullptr ? type : "non-RSA").with_context(source_name);
  }
  Result<PublicKeyId> id = detail::public_key_id_of(*pkey);
  if (!id) return id.error().with_context(source_name);
  // One decryption context now, so any per-key provider state is settled
  // before other threads share the key.
  if (Result<EvpPkeyCtxPtr> probe = make_decrypt_context(*pkey); !probe) {
    return probe.error().with_context(source_name);
  }

  RsaPrivateKey key;
  key.modulus_bits_ = static_cast<std::size_t>(EVP_PKEY_get_bits(pkey.get()));
  key.public_key_id_ = *id;
  key.source_name_ = source_name;
  std::optional<detail::RsaCrt> crt = detail::RsaCrt::of(*pkey);
  key.handle_ = std::make_shared<const Handle>(Handle{std::move(pkey), std::move(crt)});
  return key;
}

Result<std::vector<std::uint8_t>> RsaPrivateKey::decrypt(std::span<const std::uint8_t> ciphertext) const {
  if (!handle_) return make_error("no RSA key loaded");
  ErrorMark mark;
  const std::size_t modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(handle_->key.get()));
  if (ciphertext.empty() || ciphertext.size() > modulus_bytes) {
    return make_error("the encrypted premaster is " + std::to_string(ciphertext.size()) + " bytes; a " +
                      std::to_string(modulus_bits_) + "-bit RSA key takes 1 to " + std::to_string(modulus_bytes));
  }
  if (handle_->crt) {
    std::optional<std::vector<std::uint8_t>> plaintext = handle_->crt->decrypt(ciphertext);
    if (!plaintext) return padding_error();
    return std::move(*plaintext);
  }
  // A context per call: EVP_PKEY_CTX is not thread safe, the EVP_PKEY is.
  Result<EvpPkeyCtxPtr> context = make_decrypt_context(*handle_->key);
  if (!context) return context.error();
  std::size_t length = 0;
  if (EVP_PKEY_decrypt(context->get(), nullptr, &length, ciphertext.data(), ciphertext.size()) <= 0) {
    return make_error("cannot size the RSA decryption (" + detail::last_openssl_reason() + ")");
  }
  std::vector<std::uint8_t> plaintext(length);
  if (EVP_PKEY_decrypt(context->get(), plaintext.data(), &length, ciphertext.data(), ciphertext.size()) <= 0) {
    return padding_error();
  }
  plaintext.resize(length);
  return plaintext;
}

bool RsaPrivateKey::decrypts_by_own_crt() const { return handle_ && handle_->crt.has_value(); }

}  // namespace tlsring::keys
