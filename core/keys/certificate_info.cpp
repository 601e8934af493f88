// What the keys area reads from a server certificate: its public key id (to
// match a key to the server) and its subject (for reports).
#include <openssl/x509.h>

#include "core/keys/key_decoding.h"
#include "core/openssl_ptr.h"
#include "core/keys/public_key_id.h"
#include "core/keys/rsa_private_key.h"

namespace tlsring::keys {

namespace {

X509Ptr parse_certificate(std::span<const std::uint8_t> der) {
  const unsigned char* cursor = der.data();
  return X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

}  // namespace

Result<PublicKeyId> certificate_public_key_id(std::span<const std::uint8_t> certificate_der) {
  ErrorMark mark;
  X509Ptr certificate = parse_certificate(certificate_der);
  if (!certificate) return make_error("not a DER X.509 certificate (" + detail::last_openssl_reason() + ")");
  const EVP_PKEY* public_key = X509_get0_pubkey(certificate.get());
  if (public_key == nullptr) {
    return make_error("the certificate's public key cannot be read (" + detail::last_openssl_reason() + ")");
  }
  return detail::public_key_id_of(*public_key);
}

std::string certificate_subject(std::span<const std::uint8_t> certificate_der) {
  ErrorMark mark;
  X509Ptr certificate = parse_certificate(certificate_der);
  if (!certificate) return {};
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out) return {};
  // RFC 2253 order (most specific first, "CN=host, O=org"), ", " between
  // parts, and UTF-8 left as is rather than escaped, since this is for people.
  const unsigned long flags =
      ((XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) | XN_FLAG_SEP_CPLUS_SPC) & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate.get()), 0, flags) < 0) return {};
  char* text = nullptr;
  const long length = BIO_get_mem_data(out.get(), &text);
  if (length <= 0 || text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(length));
}

}  // namespace tlsring::keys
