// Encrypted PKCS#8 (EncryptedPrivateKeyInfo, RFC 5958 / PKCS#5 PBES2 or the
// PKCS#12 PBEs), in PEM ("ENCRYPTED PRIVATE KEY") or DER.
#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include "core/keys/key_decoding.h"

namespace tlsring::keys::detail {

namespace {

// A wrong password shows as a bad CBC padding or, one time in 256, as bytes
// that do not parse as a key; only a missing algorithm means something else.
bool failed_for_want_of_algorithm() {
  const unsigned long code = ERR_peek_last_error();
  const int reason = ERR_GET_REASON(code);
  if (ERR_GET_LIB(code) == ERR_LIB_EVP) {
    return reason == EVP_R_UNSUPPORTED_CIPHER || reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION ||
           reason == EVP_R_UNSUPPORTED_PRF || reason == EVP_R_UNKNOWN_PBE_ALGORITHM ||
           reason == EVP_R_UNSUPPORTED_ALGORITHM || reason == EVP_R_UNSUPPORTED_KEYLENGTH;
  }
  return reason == ERR_R_UNSUPPORTED || reason == ERR_R_FETCH_FAILED;
}

}  // namespace

Result<EvpPkeyPtr> decrypt_pkcs8(const X509_SIG& encrypted, const Password& password) {
  const bool have_password = password.has_value() && !password->empty();
  // Without a password, the empty one: some tools write keys "encrypted" with it.
  const std::string pass = have_password ? *password : std::string();
  Pkcs8InfoPtr info(PKCS8_decrypt_ex(&encrypted, pass.data(), static_cast<int>(pass.size()), nullptr, nullptr));
  if (!info) {
    if (failed_for_want_of_algorithm()) {
      return make_error("is encrypted with an algorithm this OpenSSL build cannot use (" + last_openssl_reason() +
                        "); re-export the key with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc)");
    }
    if (!have_password) return needs_password_error("an encrypted key");
    return wrong_password_error("encrypted key", "key's password");
  }
  EvpPkeyPtr key(EVP_PKCS82PKEY_ex(info.get(), nullptr, nullptr));
  if (!key) return make_error("holds a private key OpenSSL cannot read (" + last_openssl_reason() + ")");
  return key;
}

}  // namespace tlsring::keys::detail
