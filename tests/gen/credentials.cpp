#include "tests/gen/credentials.h"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include <mutex>

#include "tests/gen/files.h"
#include "tests/gen/openssl_handles.h"

namespace tlsring::testgen {
namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }
std::shared_ptr<X509> own(X509* cert) { return {cert, X509_free}; }

Error openssl_error(const std::string& what) {
  const std::string detail = openssl_errors();
  return make_error(detail.empty() ? what : what + ": " + detail);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

Result<ServerCredentials> ServerCredentials::generate(const std::string& common_name, int bits) {
  auto key = own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!key) return openssl_error("RSA key generation failed");

  auto cert = own(X509_new());
  if (!cert) return openssl_error("X509_new failed");
  X509* x = cert.get();
  // Fixed serial and validity: the same inputs give the same certificate fields.
  bool ok = X509_set_version(x, 2) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(x), 0x7153) == 1 &&
            ASN1_TIME_set_string(X509_getm_notBefore(x), "20200101000000Z") == 1 &&
            ASN1_TIME_set_string(X509_getm_notAfter(x), "20491231235959Z") == 1 &&
            X509_set_pubkey(x, key.get()) == 1;
  X509_NAME* name = X509_get_subject_name(x);
  ok = ok && X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>("tlsring tests"),
                                        -1, -1, 0) == 1;
  ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                        -1, -1, 0) == 1;
  ok = ok && X509_set_issuer_name(x, name) == 1;
  ok = ok && add_extension(x, NID_basic_constraints, "critical,CA:FALSE") &&
       add_extension(x, NID_subject_key_identifier, "hash") &&
       add_extension(x, NID_subject_alt_name, ("DNS:" + common_name).c_str());
  ok = ok && X509_sign(x, key.get(), EVP_sha256()) > 0;
  if (!ok) return openssl_error("building the self-signed certificate failed");
  return ServerCredentials(std::move(key), std::move(cert));
}

Result<ServerCredentials> ServerCredentials::shared() {
  static std::mutex mutex;
  static std::shared_ptr<ServerCredentials> cached;
  std::lock_guard lock(mutex);
  if (!cached) {
    auto made = generate();
    if (!made) return made.error();
    cached = std::make_shared<ServerCredentials>(std::move(*made));
  }
  return *cached;
}

Result<ServerCredentials> ServerCredentials::load(const std::filesystem::path& key_pem,
                                                  const std::filesystem::path& cert_pem) {
  BioPtr key_bio(BIO_new_file(key_pem.c_str(), "r"));
  if (!key_bio) return openssl_error(key_pem.string() + ": cannot open");
  auto key = own(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return openssl_error(key_pem.string() + ": not a PEM private key");

  BioPtr cert_bio(BIO_new_file(cert_pem.c_str(), "r"));
  if (!cert_bio) return openssl_error(cert_pem.string() + ": cannot open");
  auto cert = own(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return openssl_error(cert_pem.string() + ": not a PEM certificate");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return openssl_error(key_pem.string() + ": key does not match the certificate in " +
                         cert_pem.string());
  }
  return ServerCredentials(std::move(key), std::move(cert));
}

std::string ServerCredentials::key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return {};
  }
  return bio_text(bio.get());
}

std::string ServerCredentials::cert_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) return {};
  return bio_text(bio.get());
}

Status ServerCredentials::write_key_pem(const std::filesystem::path& path) const {
  const std::string pem = key_pem();
  if (pem.empty()) return openssl_error("encoding the private key failed");
  return write_file(path, pem, 0600);
}

Status ServerCredentials::write_cert_pem(const std::filesystem::path& path) const {
  const std::string pem = cert_pem();
  if (pem.empty()) return openssl_error("encoding the certificate failed");
  return write_file(path, pem, 0644);
}

Status ServerCredentials::write_pkcs12(const std::filesystem::path& path,
                                       const std::string& password) const {
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(
      PKCS12_create(password.c_str(), "tlsring test server", key_.get(), cert_.get(), nullptr, 0,
                    0, 0, 0, 0),
      PKCS12_free);
  if (!p12) return openssl_error("PKCS12_create failed");
  unsigned char* der = nullptr;
  const int size = i2d_PKCS12(p12.get(), &der);
  if (size <= 0) return openssl_error("encoding PKCS#12 failed");
  auto status = write_file(path, std::span<const std::uint8_t>(der, static_cast<std::size_t>(size)), 0600);
  OPENSSL_free(der);
  return status;
}

}  // namespace tlsring::testgen
