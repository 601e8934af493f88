// One RSA key, its certificate and a ciphertext, made with the openssl
// command-line tool in a scratch folder, written in every form a server key
// comes in; plus an EC key and certificate-only files for the error cases.
#pragma once

#include "core/keys/rsa_private_key.h"
#include "test_support.h"

namespace tlsring::keys::test {

inline constexpr const char* kPassword = "S3cret-pw";

struct GeneratedKeys {
  ScratchDir dir;
  Bytes certificate_der;
  PublicKeyId openssl_key_id{};  // SHA-256 of the SPKI, computed by the openssl tool
  Bytes premaster;               // 48 bytes built by hand
  Bytes premaster_ciphertext;    // openssl pkeyutl -encrypt, PKCS#1 v1.5 padding
};

// Built once per process (the first call runs the tool; throws with the tool's log on failure).
const GeneratedKeys& generated_keys();

}  // namespace tlsring::keys::test
