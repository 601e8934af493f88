// A server's RSA private key, loaded from PEM (PKCS#1, PKCS#8, encrypted
// PKCS#8), DER, or PKCS#12/.pfx (incl. the RC2/3DES-protected files Windows
// exports: the legacy provider is loaded for them).
//
// Contract:
//  - load() errors name the file and say what to do: missing/unreadable file,
//    wrong or missing password, no private key in the file, a key that is not RSA.
//  - A loaded key is immutable and safe to use from several threads at once.
//  - Also read: legacy PEM encryption ("Proc-Type: 4,ENCRYPTED"), PEM files
//    that mix certificates and a key (openssl pkcs12 -nodes output), PKCS#12
//    without a MAC. A password of nullopt or "" means none; a password given
//    for a key that needs none is ignored. Of several keys, the first RSA one.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace tlsring::keys {

// SHA-256 of a DER SubjectPublicKeyInfo: the identity used to match a key to a certificate.
using PublicKeyId = std::array<std::uint8_t, 32>;

class RsaPrivateKey {
 public:
  static Result<RsaPrivateKey> load(const std::filesystem::path& path, const std::optional<std::string>& password);
  // Same, from bytes already read; `source_name` names them in errors.
  static Result<RsaPrivateKey> parse(std::span<const std::uint8_t> contents, const std::string& source_name,
                                     const std::optional<std::string>& password);

  // RSAES-PKCS1-v1_5 decryption of an encrypted premaster secret; a wrong key
  // yields an error rather than random bytes (OpenSSL's implicit rejection is
  // turned off where the version has it). Two-prime keys are decrypted by
  // rsa_crt.h on OpenSSL's exponentiation, others by OpenSSL. Thread safe.
  Result<std::vector<std::uint8_t>> decrypt(std::span<const std::uint8_t> ciphertext) const;

  // True when decrypt() runs the private operation itself (rsa_crt.h), false
  // when it hands it to OpenSSL (multi-prime keys); for tests and diagnostics.
  bool decrypts_by_own_crt() const;

  const PublicKeyId& public_key_id() const { return public_key_id_; }
  std::size_t modulus_bits() const { return modulus_bits_; }
  const std::string& source_name() const { return source_name_; }

 private:
  struct Handle;
  std::shared_ptr<const Handle> handle_;  // EVP_PKEY, freed with the last copy
  PublicKeyId public_key_id_{};
  std::size_t modulus_bits_ = 0;
  std::string source_name_;
};

// The public key id of an X.509 certificate (DER), to compare with
// RsaPrivateKey::public_key_id(). Error when the DER does not parse.
Result<PublicKeyId> certificate_public_key_id(std::span<const std::uint8_t> certificate_der);

// The certificate's subject, one line ("CN=ctiserver.example, O=..."), for reports.
std::string certificate_subject(std::span<const std::uint8_t> certificate_der);

}  // namespace tlsring::keys
