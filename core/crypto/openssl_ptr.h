// RAII owners for the OpenSSL handles the crypto area uses: each is a
// std::unique_ptr whose deleter calls the matching *_free function.
#pragma once

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

namespace tlsring::crypto {

struct OpenSslDeleter {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
};

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, OpenSslDeleter>;
using MdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter>;
using MacPtr = std::unique_ptr<EVP_MAC, OpenSslDeleter>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OpenSslDeleter>;

}  // namespace tlsring::crypto
