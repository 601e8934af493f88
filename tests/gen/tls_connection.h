// Real TLS between a real OpenSSL client and server in one process: both SSL
// objects talk through memory BIOs and are stepped in turn until nothing moves.
// Every byte one side writes is recorded, in order, as a chunk of that
// direction's wire stream; the TCP layer later cuts those chunks into segments.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "tests/gen/credentials.h"
#include "tests/gen/openssl_handles.h"

namespace tlsring::testgen {

enum class Direction : std::uint8_t { client_to_server = 0, server_to_client = 1 };
constexpr std::size_t index_of(Direction d) { return static_cast<std::size_t>(d); }
constexpr Direction reverse(Direction d) {
  return d == Direction::client_to_server ? Direction::server_to_client : Direction::client_to_server;
}

enum class TlsVersion { tls1_0, tls1_1, tls1_2, tls1_3 };
enum class Resumption { none, session_id, ticket };
enum class Side { client, server };

// "1.0" "1.1" "1.2" "1.3" (also "tls1.2", "TLSv1.2"); the OpenSSL name "TLSv1.2".
std::optional<TlsVersion> parse_tls_version(std::string_view text);
std::string_view openssl_version_name(TlsVersion version);

// How every connection made with one TlsContextPair negotiates.
struct TlsOptions {
  TlsVersion version = TlsVersion::tls1_2;  // the only version either side accepts
  std::string ciphers;       // TLS <= 1.2 cipher list, OpenSSL names; "" = OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites, e.g. "TLS_AES_128_GCM_SHA256"; "" = default
  bool extended_master_secret = true;  // false: SSL_OP_NO_EXTENDED_MASTER_SECRET
  bool encrypt_then_mac = true;        // false: SSL_OP_NO_ENCRYPT_THEN_MAC
  // session_id: SSL_OP_NO_TICKET (TLS 1.3: stateful tickets); ticket and none:
  // OpenSSL's default (tickets on).
  Resumption resumption = Resumption::none;
  bool allow_client_renegotiation = false;  // SSL_OP_ALLOW_CLIENT_RENEGOTIATION on the server
  std::uint32_t max_early_data = 0;         // TLS 1.3: advertised in the server's tickets
  // Applied after the cipher list unless `ciphers` holds "@SECLEVEL": 0 lets
  // TLS 1.0/1.1, SHA-1 and small keys through, as old servers allow.
  int security_level = 0;
};

// A client SSL_CTX and a server SSL_CTX (with the credentials), built once and
// reused for every connection: the server's session cache makes resumption
// work and sharing them keeps generation fast.
class TlsContextPair {
 public:
  static Result<TlsContextPair> create(const TlsOptions& options,
                                       const ServerCredentials& credentials);
  SSL_CTX* client() const { return client_.get(); }
  SSL_CTX* server() const { return server_.get(); }
  const TlsOptions& options() const { return options_; }

 private:
  TlsContextPair(TlsOptions options, SslCtxPtr client, SslCtxPtr server)
      : options_(std::move(options)), client_(std::move(client)), server_(std::move(server)) {}
  TlsOptions options_;
  SslCtxPtr client_;
  SslCtxPtr server_;
};

struct Message {
  Direction direction = Direction::client_to_server;
  std::vector<std::uint8_t> data;  // written with one SSL_write
};

// What one connection does.
struct ConnectionScript {
  // TLS 1.3 0-RTT data, sent with SSL_write_early_data when the resumed session
  // allows it (otherwise, and when the server rejects it, sent after the handshake).
  std::vector<std::uint8_t> early_data;
  std::vector<Message> messages;
  // Renegotiate (TLS <= 1.2) before messages[renegotiate_before] (== size: after the last).
  std::optional<std::size_t> renegotiate_before;
  Side renegotiation_initiator = Side::client;
  bool close_notify = true;  // client sends close_notify, server answers
};

// A contiguous run of one direction's wire bytes, written by one step of one
// side (one "push" of the sending application).
struct TlsChunk {
  Direction direction = Direction::client_to_server;
  std::size_t offset = 0;  // into TlsConnectionResult::wire[direction]
  std::size_t length = 0;
  bool new_message = false;  // starts an application message (pacing hint)
};

struct TlsConnectionResult {
  std::vector<TlsChunk> chunks;
  std::array<std::vector<std::uint8_t>, 2> wire;       // TLS bytes per Direction
  std::array<std::vector<std::uint8_t>, 2> plaintext;  // application data received, per Direction
  std::string version;         // SSL_get_version: "TLSv1.2"
  std::string cipher;          // SSL_CIPHER_standard_name: "TLS_RSA_WITH_AES_128_GCM_SHA256"
  std::string cipher_openssl;  // SSL_CIPHER_get_name: "AES128-GCM-SHA256"
  bool resumed = false;       // the first handshake resumed a session (SSL_session_reused)
  int renegotiations = 0;
  bool early_data_offered = false;  // 0-RTT data was sent before the handshake finished
  bool early_data_accepted = false;
  std::string client_random;  // hex, of the first handshake
  std::string keylog;         // NSS key-log lines the client logged, '\n'-terminated
  SslSessionPtr session;      // the client's session at the end, for resumption
};

// Runs one connection: handshake (resuming `resume` when given), the script,
// the close. Fails when OpenSSL fails or when a side did not receive exactly
// what the other sent.
Result<TlsConnectionResult> run_tls_connection(const TlsContextPair& contexts,
                                               const ConnectionScript& script,
                                               SSL_SESSION* resume = nullptr);

}  // namespace tlsring::testgen
