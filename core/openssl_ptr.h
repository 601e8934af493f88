// RAII owners for OpenSSL handles: each is a std::unique_ptr whose deleter
// calls the matching *_free function. Also ErrorMark, which keeps the errors
// an attempt provokes out of the thread's OpenSSL error queue.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>

namespace tlsring {

struct OpenSslDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }  // cleared: they may hold a private key's parts
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(BN_MONT_CTX* p) const { BN_MONT_CTX_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(OSSL_DECODER_CTX* p) const { OSSL_DECODER_CTX_free(p); }
  void operator()(PKCS12* p) const { PKCS12_free(p); }
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_SIG* p) const { X509_SIG_free(p); }
  void operator()(STACK_OF(X509)* p) const { sk_X509_pop_free(p, X509_free); }
  void operator()(STACK_OF(PKCS7)* p) const { sk_PKCS7_pop_free(p, PKCS7_free); }
  void operator()(STACK_OF(PKCS12_SAFEBAG)* p) const { sk_PKCS12_SAFEBAG_pop_free(p, PKCS12_SAFEBAG_free); }
};

// Memory OpenSSL allocated with OPENSSL_malloc (PEM_read_bio's name, header, data).
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OpenSslDeleter>;
using BnMontCtxPtr = std::unique_ptr<BN_MONT_CTX, OpenSslDeleter>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter>;
using CipherPtr = std::unique_ptr<EVP_CIPHER, OpenSslDeleter>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OpenSslDeleter>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter>;
using MacPtr = std::unique_ptr<EVP_MAC, OpenSslDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter>;
using MdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, OpenSslDeleter>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslDeleter>;
using Pkcs8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OpenSslDeleter>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter>;
using X509SigPtr = std::unique_ptr<X509_SIG, OpenSslDeleter>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpenSslDeleter>;
using Pkcs7StackPtr = std::unique_ptr<STACK_OF(PKCS7), OpenSslDeleter>;
using SafeBagStackPtr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), OpenSslDeleter>;
template <class T>
using OpenSslMemPtr = std::unique_ptr<T, OpenSslFree>;

// While alive, errors OpenSSL queues belong to this scope; the destructor
// drops them, so a failed attempt never leaks into a caller's queue.
class ErrorMark {
 public:
  ErrorMark() { ERR_set_mark(); }
  ~ErrorMark() { ERR_pop_to_mark(); }
  ErrorMark(const ErrorMark&) = delete;
  ErrorMark& operator=(const ErrorMark&) = delete;
};

}  // namespace tlsring
