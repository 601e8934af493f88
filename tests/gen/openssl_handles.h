// RAII owners for the OpenSSL objects the generator uses, and the text of
// OpenSSL's error queue for messages.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace tlsring::testgen {

struct SslCtxFree { void operator()(SSL_CTX* p) const { SSL_CTX_free(p); } };
struct SslFree { void operator()(SSL* p) const { SSL_free(p); } };
struct SslSessionFree { void operator()(SSL_SESSION* p) const { SSL_SESSION_free(p); } };
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };

using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Drains OpenSSL's error queue of this thread into one line ("" when empty).
inline std::string openssl_errors() {
  std::string out;
  char buf[256];
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace tlsring::testgen
