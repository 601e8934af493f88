// Handshake messages (RFC 5246 §7.4, RFC 8446 §4) parsed from their bodies.
// Pure functions over spans; every view points into the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/tls/record.h"

namespace tlsring::tls {

using ByteView = std::span<const std::uint8_t>;

enum HandshakeType : std::uint8_t {
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kHelloVerifyRequest = 3,
  kNewSessionTicket = 4,
  kEndOfEarlyData = 5,
  kEncryptedExtensions = 8,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateVerify = 15,
  kClientKeyExchange = 16,
  kFinished = 20,
  kCertificateStatus = 22,
  kKeyUpdate = 24,
  kMessageHash = 254,
};

// One handshake message framed from a handshake-protocol byte stream
// (messages may span records; a record may hold several messages).
struct HandshakeFrame {
  ParseStatus status = ParseStatus::need_more;
  std::uint8_t type = 0;
  ByteView body;              // when ok
  ByteView message;           // header + body, as hashed into the transcript
  std::size_t consumed = 0;   // 4 + body length when ok
  std::size_t needed = 0;     // when need_more
};
// `max_body` bounds memory: a longer declared length is `invalid`.
HandshakeFrame frame_handshake(ByteView data, std::size_t max_body = 1 << 20);

struct ClientHello {
  std::uint16_t legacy_version = 0;
  std::uint8_t random[32] = {};        // SSLv2: the challenge right-aligned, zero-padded
  ByteView session_id;
  std::vector<std::uint16_t> cipher_suites;
  bool from_sslv2 = false;
  // Extensions
  std::optional<std::string> server_name;          // SNI host_name
  bool extended_master_secret = false;             // ext 23
  bool encrypt_then_mac = false;                   // ext 22
  bool session_ticket_present = false;             // ext 35
  ByteView session_ticket;                         // its data (empty = asks for a new ticket)
  std::vector<std::uint16_t> supported_versions;   // ext 43
  bool pre_shared_key = false;                     // ext 41 (TLS 1.3 PSK offered)
  bool early_data = false;                         // ext 42
  bool renegotiation_info = false;                 // ext 0xff01 or SCSV 0x00ff
};
Result<ClientHello> parse_client_hello(ByteView body);
// `body` is the SSLv2 message from parse_sslv2_record (starting with type 1).
Result<ClientHello> parse_sslv2_client_hello(ByteView body);

struct ServerHello {
  std::uint16_t legacy_version = 0;
  std::uint8_t random[32] = {};
  ByteView session_id;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression = 0;
  bool extended_master_secret = false;
  bool encrypt_then_mac = false;
  bool session_ticket_ack = false;                 // ext 35 present: a NewSessionTicket will follow
  std::optional<std::uint16_t> selected_version;   // ext 43 (TLS 1.3, incl. drafts 0x7fXX)
  bool pre_shared_key = false;                     // ext 41 (TLS 1.3 resumption)
  bool is_hello_retry_request = false;             // random equals the HRR magic
  // The version in force: selected_version if present, else legacy_version.
  std::uint16_t version() const { return selected_version ? *selected_version : legacy_version; }
};
Result<ServerHello> parse_server_hello(ByteView body);

// The certificate chain; for TLS 1.3 (tls13 = true) the certificate_request_context
// and per-entry extensions are skipped. Empty chain is valid.
Result<std::vector<ByteView>> parse_certificate(ByteView body, bool tls13);

// RSA-encrypted premaster secret from a ClientKeyExchange. SSL 3.0 sends it
// bare; TLS 1.0+ prefixes it with a 2-byte length. `ssl3` chooses.
Result<ByteView> parse_rsa_client_key_exchange(ByteView body, bool ssl3);

struct NewSessionTicket {
  std::uint32_t lifetime = 0;
  ByteView ticket;
};
// TLS 1.2 format (RFC 5077 §3.3). TLS 1.3 tickets are not needed for decryption.
Result<NewSessionTicket> parse_new_session_ticket(ByteView body);

}  // namespace tlsring::tls
