// Decoding a private key of any algorithm out of the containers a server key
// comes in (internal to core/keys; RsaPrivateKey checks the algorithm).
//
// Every function returns the key, or an Error whose message does not name
// the file (the caller adds it) and says what to do.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/openssl_ptr.h"
#include "core/result.h"

namespace tlsring::keys::detail {

using Password = std::optional<std::string>;

// Any of the supported forms: PEM (several blocks allowed), DER, PKCS#12.
Result<EvpPkeyPtr> decode_private_key(std::span<const std::uint8_t> contents, const Password& password);

// PEM text: the first RSA private key among its blocks, else the first other
// private key (so the caller can say which algorithm it is).
Result<EvpPkeyPtr> decode_pem_private_key(std::span<const std::uint8_t> contents, const Password& password);

// Binary: PKCS#12, PKCS#1, PKCS#8, encrypted PKCS#8 (or another algorithm's DER key).
Result<EvpPkeyPtr> decode_der_private_key(std::span<const std::uint8_t> contents, const Password& password);

// Unencrypted key DER: PKCS#8 PrivateKeyInfo or a type-specific form (PKCS#1, SEC1).
// nullptr when the bytes are not such a key (no error: the caller tries other forms).
EvpPkeyPtr decode_plain_key_der(std::span<const std::uint8_t> der);

// Encrypted PKCS#8 (EncryptedPrivateKeyInfo). Without a password the empty one is tried.
Result<EvpPkeyPtr> decrypt_pkcs8(const X509_SIG& encrypted, const Password& password);

// A parsed PKCS#12 file: checks the password with the MAC, then takes the private key.
Result<EvpPkeyPtr> decode_pkcs12(PKCS12& pkcs12, const Password& password);

// Messages shared by the forms.
Error needs_password_error(std::string_view what);
// `what`: "PKCS#12 file"; `password_name`: "export password".
Error wrong_password_error(std::string_view what, std::string_view password_name);
Error no_private_key_error();
Error public_key_only_error();
Error not_a_key_error();
Error not_rsa_error(std::string_view algorithm);

// OpenSSL's reason for the latest error queued in this thread, "" if none.
std::string last_openssl_reason();

}  // namespace tlsring::keys::detail
