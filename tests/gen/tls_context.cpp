// TlsContextPair and TLS version names.
#include <cstring>

#include "tests/gen/tls_connection.h"

namespace tlsring::testgen {
namespace {

int protocol_of(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls1_0: return TLS1_VERSION;
    case TlsVersion::tls1_1: return TLS1_1_VERSION;
    case TlsVersion::tls1_2: return TLS1_2_VERSION;
    case TlsVersion::tls1_3: return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// The client logs every secret (TLS 1.2 CLIENT_RANDOM, TLS 1.3 traffic
// secrets, 0-RTT); run_tls_connection hangs its result on the SSL as app data.
void keylog_callback(const SSL* ssl, const char* line);

Error openssl_error(const std::string& what) {
  const std::string detail = openssl_errors();
  return make_error(detail.empty() ? what : what + ": " + detail);
}

Status configure(SSL_CTX* ctx, const TlsOptions& options) {
  const int protocol = protocol_of(options.version);
  if (SSL_CTX_set_min_proto_version(ctx, protocol) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, protocol) != 1) {
    return openssl_error("cannot restrict the protocol version");
  }
  if (!options.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, options.ciphers.c_str()) != 1) {
    return openssl_error("cipher list \"" + options.ciphers + "\" matches no cipher");
  }
  if (!options.ciphersuites.empty() &&
      SSL_CTX_set_ciphersuites(ctx, options.ciphersuites.c_str()) != 1) {
    return openssl_error("TLS 1.3 ciphersuites \"" + options.ciphersuites + "\" are not valid");
  }
  // The system configuration may raise the level; old versions need it low.
  if (options.ciphers.find("@SECLEVEL") == std::string::npos) {
    SSL_CTX_set_security_level(ctx, options.security_level);
  }
  std::uint64_t flags = 0;
  if (!options.extended_master_secret) flags |= SSL_OP_NO_EXTENDED_MASTER_SECRET;
  if (!options.encrypt_then_mac) flags |= SSL_OP_NO_ENCRYPT_THEN_MAC;
  if (options.resumption == Resumption::session_id) flags |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, flags);
  return {};
}

}  // namespace

std::optional<TlsVersion> parse_tls_version(std::string_view text) {
  for (std::string_view prefix : {"TLSv", "tlsv", "TLS", "tls"}) {
    if (text.substr(0, prefix.size()) == prefix) {
      text.remove_prefix(prefix.size());
      break;
    }
  }
  if (text == "1.0" || text == "1") return TlsVersion::tls1_0;
  if (text == "1.1") return TlsVersion::tls1_1;
  if (text == "1.2") return TlsVersion::tls1_2;
  if (text == "1.3") return TlsVersion::tls1_3;
  return std::nullopt;
}

std::string_view openssl_version_name(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls1_0: return "TLSv1";
    case TlsVersion::tls1_1: return "TLSv1.1";
    case TlsVersion::tls1_2: return "TLSv1.2";
    case TlsVersion::tls1_3: return "TLSv1.3";
  }
  return "TLSv1.2";
}

Result<TlsContextPair> TlsContextPair::create(const TlsOptions& options,
                                              const ServerCredentials& credentials) {
  SslCtxPtr client(SSL_CTX_new(TLS_client_method()));
  SslCtxPtr server(SSL_CTX_new(TLS_server_method()));
  if (!client || !server) return openssl_error("SSL_CTX_new failed");
  if (auto status = configure(client.get(), options); !status) return status.error();
  if (auto status = configure(server.get(), options); !status) return status.error();

  SSL_CTX_set_verify(client.get(), SSL_VERIFY_NONE, nullptr);  // self-signed, by design
  SSL_CTX_set_keylog_callback(client.get(), keylog_callback);

  if (SSL_CTX_use_certificate(server.get(), credentials.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(server.get(), credentials.key()) != 1 ||
      SSL_CTX_check_private_key(server.get()) != 1) {
    return openssl_error("the server rejected its key or certificate");
  }
  // DHE suites need Diffie-Hellman parameters: the built-in ones sized to the key.
  SSL_CTX_set_dh_auto(server.get(), 1);
  static constexpr unsigned char kSessionContext[] = "tlsring-gen";
  SSL_CTX_set_session_id_context(server.get(), kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(server.get(), SSL_SESS_CACHE_SERVER);
  if (options.allow_client_renegotiation) {
    SSL_CTX_set_options(server.get(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  }
  if (options.max_early_data > 0 &&
      SSL_CTX_set_max_early_data(server.get(), options.max_early_data) != 1) {
    return openssl_error("SSL_CTX_set_max_early_data failed");
  }
  return TlsContextPair(options, std::move(client), std::move(server));
}

namespace {

void keylog_callback(const SSL* ssl, const char* line) {
  auto* result = static_cast<TlsConnectionResult*>(SSL_get_app_data(ssl));
  if (result == nullptr) return;
  result->keylog.append(line, std::strlen(line));
  result->keylog.push_back('\n');
}

}  // namespace

}  // namespace tlsring::testgen
