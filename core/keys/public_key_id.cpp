#include "core/keys/public_key_id.h"

#include <openssl/x509.h>

#include <vector>

#include "core/keys/key_decoding.h"

namespace tlsring::keys::detail {

Result<PublicKeyId> public_key_id_of(const EVP_PKEY& key) {
  // i2d_PUBKEY re-encodes from the key itself, so a private key and the
  // certificate holding its public half give the same bytes.
  const int length = i2d_PUBKEY(&key, nullptr);
  if (length <= 0) return make_error("cannot encode the public key (" + last_openssl_reason() + ")");
  std::vector<unsigned char> spki(static_cast<std::size_t>(length));
  unsigned char* cursor = spki.data();
  if (i2d_PUBKEY(&key, &cursor) != length) {
    return make_error("cannot encode the public key (" + last_openssl_reason() + ")");
  }
  PublicKeyId id{};
  unsigned int id_length = 0;
  if (EVP_Digest(spki.data(), spki.size(), id.data(), &id_length, EVP_sha256(), nullptr) != 1 ||
      id_length != id.size()) {
    return make_error("cannot hash the public key (" + last_openssl_reason() + ")");
  }
  return id;
}

}  // namespace tlsring::keys::detail
