// What one TLS handshake (full, abbreviated, or a renegotiation) has shown so
// far, as the decryptor needs it: randoms, session identifiers, the suite, the
// transcript for Finished and EMS, and the secret once recovered.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/cipher_suite.h"
#include "core/keys/rsa_private_key.h"

namespace tlsring::decrypt {

struct HandshakeState {
  bool client_hello_seen = false;
  bool server_hello_seen = false;
  bool hello_retry_request = false;
  std::array<std::uint8_t, 32> client_random{};
  std::array<std::uint8_t, 32> server_random{};
  std::vector<std::uint8_t> client_session_id;
  std::vector<std::uint8_t> server_session_id;
  std::vector<std::uint8_t> offered_ticket;        // session_ticket extension data in ClientHello
  std::vector<std::uint8_t> new_ticket;            // NewSessionTicket from the server
  std::optional<std::string> sni;
  bool client_offered_ems = false;
  bool client_offered_etm = false;
  bool early_data_offered = false;                 // TLS 1.3 0-RTT
  bool client_offered_tls13 = false;               // supported_versions: its ChangeCipherSpec may mean nothing

  std::uint16_t version = 0;                       // negotiated (supported_versions for 1.3)
  std::uint16_t cipher_suite_id = 0;
  const crypto::CipherSuite* suite = nullptr;      // nullptr: unknown suite
  bool extended_master_secret = false;
  bool encrypt_then_mac = false;
  bool tls13 = false;
  bool psk_accepted = false;                       // TLS 1.3 resumption

  bool certificate_seen = false;                   // the server's Certificate message was parsed
  std::optional<keys::PublicKeyId> certificate_key_id;
  std::optional<std::string> certificate_subject;
  bool client_key_exchange_seen = false;
  std::vector<std::uint8_t> encrypted_premaster;   // RSA key exchange
  std::vector<std::uint8_t> session_hash;          // RFC 7627, over the messages up to ClientKeyExchange

  // What tells a full handshake from an abbreviated one (RFC 5246 §7.3): the
  // messages each side sent before its ChangeCipherSpec, and where the capture
  // lost bytes (a message missing there may well have been sent).
  bool server_key_exchange_flight_seen = false;    // Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone
  bool client_change_cipher_spec_seen = false;
  bool server_change_cipher_spec_seen = false;
  std::uint64_t client_bytes_lost = 0;             // client->server bytes not captured since the ClientHello
  std::uint64_t server_bytes_lost = 0;             // server->client bytes not captured since the ServerHello
  // Bytes lost where the hello of that side should be, not seen (yet): a lost
  // ClientHello's (or ServerHello's) segment, as far as the capture shows it.
  std::uint64_t client_bytes_lost_before_hello = 0;
  std::uint64_t server_bytes_lost_before_hello = 0;

  std::vector<std::uint8_t> transcript;            // handshake messages as hashed by Finished
  bool keys_derived = false;                       // tried (at the first ChangeCipherSpec)
  bool abbreviated = false;
  std::vector<std::uint8_t> master_secret;         // empty until recovered
  bool client_finished_seen = false;
  bool server_finished_seen = false;
  bool client_finished_verified = false;
  bool server_finished_verified = false;
  bool finished_failed = false;
  // When a Finished first failed: client + server bytes lost, and segments cut by the snap length, so far.
  std::uint64_t handshake_bytes_lost_at_failure = 0;
  std::uint64_t segments_cut_short_at_failure = 0;
};

}  // namespace tlsring::decrypt
