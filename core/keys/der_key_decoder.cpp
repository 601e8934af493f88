// Binary key files: the form is not labelled, so each decoder is tried in
// turn, each one required to take the whole input. The forms cannot be
// mistaken for each other: their outer SEQUENCEs differ in the first fields.
#include <openssl/x509.h>

#include "core/keys/key_decoding.h"

namespace tlsring::keys::detail {

namespace {

template <class T, class Decode>
auto decode_whole(std::span<const std::uint8_t> der, Decode decode) -> std::unique_ptr<T, OpenSslDeleter> {
  const unsigned char* cursor = der.data();
  std::unique_ptr<T, OpenSslDeleter> object(decode(nullptr, &cursor, static_cast<long>(der.size())));
  if (object && cursor != der.data() + der.size()) object.reset();  // trailing bytes: some other form
  return object;
}

bool is_public_key_der(std::span<const std::uint8_t> der) {
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", nullptr, nullptr, EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
  if (!ctx) return false;
  const unsigned char* data = der.data();
  std::size_t length = der.size();
  const bool decoded = OSSL_DECODER_from_data(ctx.get(), &data, &length) == 1;
  EvpPkeyPtr key(raw);
  return decoded && key != nullptr;
}

}  // namespace

EvpPkeyPtr decode_plain_key_der(std::span<const std::uint8_t> der) {
  EVP_PKEY* raw = nullptr;
  // EVP_PKEY_KEYPAIR: public-key-only structures are not decoded (checked with OpenSSL 3.0).
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", nullptr, nullptr, EVP_PKEY_KEYPAIR, nullptr, nullptr));
  if (!ctx) return nullptr;
  const unsigned char* data = der.data();
  std::size_t length = der.size();
  const bool decoded = OSSL_DECODER_from_data(ctx.get(), &data, &length) == 1;
  EvpPkeyPtr key(raw);
  if (!decoded) key.reset();
  return key;
}

Result<EvpPkeyPtr> decode_der_private_key(std::span<const std::uint8_t> contents, const Password& password) {
  if (Pkcs12Ptr pkcs12 = decode_whole<PKCS12>(contents, d2i_PKCS12)) return decode_pkcs12(*pkcs12, password);
  if (EvpPkeyPtr key = decode_plain_key_der(contents)) return key;
  if (X509SigPtr encrypted = decode_whole<X509_SIG>(contents, d2i_X509_SIG)) return decrypt_pkcs8(*encrypted, password);
  if (decode_whole<X509>(contents, d2i_X509)) return no_private_key_error();
  if (is_public_key_der(contents)) return public_key_only_error();
  return not_a_key_error();
}

}  // namespace tlsring::keys::detail
