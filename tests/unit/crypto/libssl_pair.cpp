#include "libssl_pair.h"

#include <openssl/bio.h>
#include <openssl/dsa.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace tlsring::crypto::test {
namespace {

template <class T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Free<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Free<SSL, SSL_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

std::string ssl_errors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error queued" : out;
}

X509Ptr self_signed(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("tlsring test"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign: " + ssl_errors());
  return cert;
}

PkeyPtr make_dsa_key() {
  // 1024-bit parameters keep generation fast; security level 0 accepts them.
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  EVP_PKEY* params = nullptr;
  if (!pctx || EVP_PKEY_paramgen_init(pctx.get()) != 1 || EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 1024) != 1 ||
      EVP_PKEY_paramgen(pctx.get(), &params) != 1) {
    throw std::runtime_error("DSA paramgen: " + ssl_errors());
  }
  PkeyPtr params_owner(params);
  PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr));
  EVP_PKEY* key = nullptr;
  if (!kctx || EVP_PKEY_keygen_init(kctx.get()) != 1 || EVP_PKEY_keygen(kctx.get(), &key) != 1) {
    throw std::runtime_error("DSA keygen: " + ssl_errors());
  }
  return PkeyPtr(key);
}

struct Credentials {
  PkeyPtr rsa{EVP_RSA_gen(2048)};
  PkeyPtr ec{EVP_EC_gen("P-256")};
  PkeyPtr dsa{make_dsa_key()};
  X509Ptr rsa_cert{self_signed(rsa.get())};
  X509Ptr ec_cert{self_signed(ec.get())};
  X509Ptr dsa_cert{self_signed(dsa.get())};
};

const Credentials& credentials() {
  static const Credentials c;
  return c;
}

void keylog_callback(const SSL* ssl, const char* line) {
  auto* trace = static_cast<ConnectionTrace*>(SSL_get_app_data(ssl));
  trace->keylog += line;
  trace->keylog += '\n';
}

unsigned int server_psk(SSL*, const char*, unsigned char* psk, unsigned int max_length) {
  const auto& key = test_psk();
  if (key.size() > max_length) return 0;
  std::memcpy(psk, key.data(), key.size());
  return static_cast<unsigned int>(key.size());
}

unsigned int client_psk(SSL*, const char*, char* identity, unsigned int max_identity, unsigned char* psk,
                        unsigned int max_length) {
  const auto& key = test_psk();
  static constexpr char kIdentity[] = "tlsring";
  if (key.size() > max_length || sizeof kIdentity > max_identity) return 0;
  std::memcpy(identity, kIdentity, sizeof kIdentity);
  std::memcpy(psk, key.data(), key.size());
  return static_cast<unsigned int>(key.size());
}

CtxPtr make_ctx(const ConnectionOptions& o, bool server) {
  CtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) throw std::runtime_error("SSL_CTX_new: " + ssl_errors());
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), o.version);
  SSL_CTX_set_max_proto_version(ctx.get(), o.version);
  SSL_CTX_set_keylog_callback(ctx.get(), keylog_callback);
  if (!o.encrypt_then_mac) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_ENCRYPT_THEN_MAC);
  if (!o.extended_master_secret) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_EXTENDED_MASTER_SECRET);
  const bool ok = o.version == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(ctx.get(), o.cipher.c_str()) == 1
                                              : SSL_CTX_set_cipher_list(ctx.get(), o.cipher.c_str()) == 1;
  if (!ok) throw std::runtime_error("cannot select " + o.cipher + ": " + ssl_errors());
  if (server) {
    const Credentials& c = credentials();
    // One certificate per key type; libssl picks the one the suite needs.
    for (auto [cert, key] : {std::pair{c.rsa_cert.get(), c.rsa.get()}, std::pair{c.ec_cert.get(), c.ec.get()},
                             std::pair{c.dsa_cert.get(), c.dsa.get()}}) {
      if (SSL_CTX_use_certificate(ctx.get(), cert) != 1 || SSL_CTX_use_PrivateKey(ctx.get(), key) != 1) {
        throw std::runtime_error("server credentials: " + ssl_errors());
      }
    }
    SSL_CTX_set_dh_auto(ctx.get(), 1);
    if (o.psk) SSL_CTX_set_psk_server_callback(ctx.get(), server_psk);
  } else if (o.psk) {
    SSL_CTX_set_psk_client_callback(ctx.get(), client_psk);
  }
  return ctx;
}

// Moves whatever each side wrote into the other side's read BIO, logging it.
void pump(SSL* client, SSL* server, ConnectionTrace& trace) {
  for (bool from_client : {true, false}) {
    BIO* from = SSL_get_wbio(from_client ? client : server);
    BIO* to = SSL_get_rbio(from_client ? server : client);
    std::vector<std::uint8_t> bytes;
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof buf)) > 0) bytes.insert(bytes.end(), buf, buf + n);
    if (bytes.empty()) continue;
    BIO_write(to, bytes.data(), static_cast<int>(bytes.size()));
    trace.chunks.push_back(TcpChunk{from_client, std::move(bytes)});
  }
}

bool retryable(SSL* ssl, int rc) {
  const int e = SSL_get_error(ssl, rc);
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

std::vector<std::uint8_t> pattern(std::size_t length, std::uint8_t seed) {
  std::vector<std::uint8_t> out(length);
  for (std::size_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7 + (i >> 8));
  return out;
}

// `writer` sends each message as its own SSL_write; `reader` reads them all.
bool exchange(SSL* writer, SSL* reader, SSL* client, SSL* server, const std::vector<std::size_t>& sizes,
              std::uint8_t seed, std::vector<std::uint8_t>& sent, ConnectionTrace& trace) {
  std::size_t expected = 0;
  for (std::size_t size : sizes) {
    const auto message = pattern(size, static_cast<std::uint8_t>(seed + expected));
    if (SSL_write(writer, message.data(), static_cast<int>(message.size())) != static_cast<int>(message.size())) {
      trace.error = "SSL_write: " + ssl_errors();
      return false;
    }
    sent.insert(sent.end(), message.begin(), message.end());
    expected += size;
    pump(client, server, trace);
  }
  std::size_t received = 0;
  std::vector<std::uint8_t> buf(32768);
  for (int rounds = 0; received < expected && rounds < 1000; ++rounds) {
    const int n = SSL_read(reader, buf.data(), static_cast<int>(buf.size()));
    if (n > 0) {
      received += static_cast<std::size_t>(n);
    } else if (!retryable(reader, n)) {
      trace.error = "SSL_read: " + ssl_errors();
      return false;
    }
    pump(client, server, trace);
  }
  if (received != expected) trace.error = "peer did not receive all application data";
  return received == expected;
}

}  // namespace

const std::vector<std::uint8_t>& test_psk() {
  static const std::vector<std::uint8_t> psk = pattern(32, 0x5a);
  return psk;
}

EVP_PKEY* test_rsa_key() { return credentials().rsa.get(); }

ConnectionTrace run_connection(const ConnectionOptions& o) {
  ConnectionTrace trace;
  ERR_clear_error();
  try {
    CtxPtr client_ctx = make_ctx(o, false);
    CtxPtr server_ctx = make_ctx(o, true);
    SslPtr client(SSL_new(client_ctx.get()));
    SslPtr server(SSL_new(server_ctx.get()));
    SSL_set_app_data(client.get(), &trace);
    SSL_set_app_data(server.get(), &trace);
    SSL_set_bio(client.get(), BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_bio(server.get(), BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());

    for (int round = 0; round < 50 && !(SSL_is_init_finished(client.get()) && SSL_is_init_finished(server.get()));
         ++round) {
      for (SSL* ssl : {client.get(), server.get()}) {
        const int rc = SSL_do_handshake(ssl);
        if (rc != 1 && !retryable(ssl, rc)) {
          trace.error = std::string("handshake (") + (ssl == client.get() ? "client" : "server") + "): " + ssl_errors();
          return trace;
        }
        pump(client.get(), server.get(), trace);
      }
    }
    if (!SSL_is_init_finished(client.get()) || !SSL_is_init_finished(server.get())) {
      trace.error = "handshake did not finish";
      return trace;
    }
    trace.version = static_cast<std::uint16_t>(SSL_version(client.get()));
    trace.cipher_id = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(client.get()));
    trace.extended_master_secret = SSL_get_extms_support(client.get()) == 1;

    // Sizes cover a 1-byte record, a record split at the 16384-byte limit, and
    // a length that is no multiple of any block size.
    if (!exchange(client.get(), server.get(), client.get(), server.get(), {1, 37, 1000, 20000}, 0x10,
                  trace.client_sent, trace) ||
        !exchange(server.get(), client.get(), client.get(), server.get(), {300, 17000, 5}, 0x80, trace.server_sent,
                  trace)) {
      return trace;
    }
    if (o.key_update) {
      if (SSL_key_update(client.get(), SSL_KEY_UPDATE_REQUESTED) != 1) {
        trace.error = "SSL_key_update: " + ssl_errors();
        return trace;
      }
      // The client's next write carries its KeyUpdate; the server answers with
      // its own before its next write.
      if (!exchange(client.get(), server.get(), client.get(), server.get(), {64}, 0x33, trace.client_sent, trace) ||
          !exchange(server.get(), client.get(), client.get(), server.get(), {65}, 0x44, trace.server_sent, trace)) {
        return trace;
      }
    }
    SSL_shutdown(client.get());
    pump(client.get(), server.get(), trace);
    SSL_shutdown(server.get());
    pump(client.get(), server.get(), trace);
  } catch (const std::exception& e) {
    trace.error = e.what();
  }
  return trace;
}

}  // namespace tlsring::crypto::test
