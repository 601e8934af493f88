// ServerCredentials: the test server's RSA private key and self-signed
// certificate, generated in code or loaded from PEM files, and written out as
// PEM (and optionally PKCS#12) for the decryptor under test.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"

namespace tlsring::testgen {

class ServerCredentials {
 public:
  // A new RSA key of `bits` and a self-signed X.509 v3 certificate for
  // `common_name`, SHA-256 signed, valid 2020-01-01 to 2049-12-31 (fixed dates:
  // the generator reads no clock).
  static Result<ServerCredentials> generate(const std::string& common_name = "tlsring-test-server",
                                            int bits = 2048);
  // One generated key + certificate shared by every caller in this process
  // (key generation costs ~0.1 s; tests call the generator many times).
  static Result<ServerCredentials> shared();
  // Loads a PEM private key (any format OpenSSL reads) and a PEM certificate,
  // and checks that they belong together.
  static Result<ServerCredentials> load(const std::filesystem::path& key_pem,
                                        const std::filesystem::path& cert_pem);

  EVP_PKEY* key() const { return key_.get(); }
  X509* certificate() const { return cert_.get(); }

  std::string key_pem() const;   // unencrypted PKCS#8 "PRIVATE KEY"
  std::string cert_pem() const;  // "CERTIFICATE"
  Status write_key_pem(const std::filesystem::path& path) const;   // mode 0600
  Status write_cert_pem(const std::filesystem::path& path) const;
  // PKCS#12 (.pfx) with key and certificate under `password` (OpenSSL 3
  // defaults: AES-256-CBC, PBKDF2, SHA-256 MAC).
  Status write_pkcs12(const std::filesystem::path& path, const std::string& password) const;

 private:
  ServerCredentials(std::shared_ptr<EVP_PKEY> key, std::shared_ptr<X509> cert)
      : key_(std::move(key)), cert_(std::move(cert)) {}

  std::shared_ptr<EVP_PKEY> key_;
  std::shared_ptr<X509> cert_;
};

}  // namespace tlsring::testgen
