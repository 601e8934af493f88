// What a decryption run says about one TCP connection: the facts of its TLS
// session(s) and the verdict. Written to sessions.jsonl by core/output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/decrypt/capture_order.h"
#include "core/decrypt/verdict.h"
#include "core/net/packet_decoder.h"

namespace tlsring::decrypt {

enum class Direction : std::uint8_t { client_to_server = 0, server_to_client = 1 };
inline const char* short_name(Direction d) { return d == Direction::client_to_server ? "c2s" : "s2c"; }

// session_id_or_ticket: the server resumed a session, but the ClientHello,
// which alone says whether by session ID or by ticket, was not captured.
enum class Resumption : std::uint8_t { no, session_id, ticket, psk, session_id_or_ticket };
const char* to_string(Resumption r);

struct SessionReport {
  // The number of the connection's first packet, counting from 1 across all the
  // capture files of the run: unique, the same whatever the number of workers,
  // and in the order connections first appear (as Wireshark's tcp.stream).
  std::uint64_t connection_id = 0;
  net::Endpoint client;
  net::Endpoint server;
  bool roles_certain = false;           // from SYN or ClientHello, not guessed from ports
  std::int64_t first_seen_ns = 0;
  std::int64_t last_seen_ns = 0;
  // Where in the capture the connection ended: sessions end in this order when
  // one thread decrypts, in any order with several (then sort by it).
  CaptureOrder ended_at;

  // The version, suite and resumption of the last handshake (renegotiation
  // replaces the first one's); `handshakes` counts them.
  std::optional<std::uint16_t> version;
  std::optional<std::uint16_t> cipher_suite;
  Resumption resumed = Resumption::no;
  // Where the last handshake's keys came from, when they were found: "RSA key
  // keys/server.pem", "key log", "key log (RSA premaster)", "session cache
  // (session ID)", "session cache (ticket)". With several keys and key logs,
  // which one decrypted the session (or, with key_mismatch, which one failed).
  std::optional<std::string> keys_from;
  bool extended_master_secret = false;
  bool encrypt_then_mac = false;
  std::optional<std::string> sni;
  std::optional<std::string> certificate_subject;
  int handshakes = 0;                   // full or abbreviated handshakes seen (renegotiation adds)

  std::uint64_t c2s_bytes = 0;          // decrypted application data
  std::uint64_t s2c_bytes = 0;
  std::uint64_t records = 0;            // application-data records decrypted
  std::uint64_t undecrypted_records = 0;
  std::uint64_t skipped_early_data_records = 0;
  std::uint64_t gaps = 0;               // holes in the TCP streams
  std::uint64_t gap_bytes = 0;
  bool finished_verified = false;
  std::vector<std::string> alerts;      // "fatal handshake_failure", ...

  Verdict verdict = Verdict::not_tls;
  std::string reason;                   // a sentence a person understands
  std::string fix;                      // what to do about it ("" when decrypted)
};

}  // namespace tlsring::decrypt
