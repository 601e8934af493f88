// The public key id of an EVP_PKEY (internal to core/keys): SHA-256 over its
// DER SubjectPublicKeyInfo, the same bytes a certificate carries.
#pragma once

#include <openssl/evp.h>

#include "core/keys/rsa_private_key.h"
#include "core/result.h"

namespace tlsring::keys::detail {

Result<PublicKeyId> public_key_id_of(const EVP_PKEY& key);

}  // namespace tlsring::keys::detail
