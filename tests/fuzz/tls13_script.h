// The input format of fuzz_tls13_records: a TLS 1.3 connection whose records
// the harness encrypts, so that the fuzzer reaches what only decryption
// reveals: EncryptedExtensions, the TLS 1.3 Certificate form, Finished,
// NewSessionTicket, KeyUpdate, EndOfEarlyData, 0-RTT data, inner content types
// and padding, and the key phases of decrypt::TlsConnection.
//
// The harness plays a fixed session: TLS_AES_128_GCM_SHA256, a ClientHello
// with client random kClientRandom and a ServerHello it writes itself, and
// the five traffic secrets of tls13_key_log() (which the KeyStore is given).
// Traffic keys, KeyUpdate and Finished come from core/crypto's key schedule;
// the record protection (RFC 8446 §5.2) is the harness's own.
//
//   byte 0   flags: bit 0 the ClientHello offers 0-RTT (early_data)
//   then ops one byte each, then a 2-byte big-endian length and that many
//            payload bytes (fewer when the input ends). Op bit 0: the direction
//            (0 client to server); bits 1-3 the action:
//     0  an encrypted record, the payload its inner plaintext; bits 4-5 the
//        inner content type (handshake, application_data, alert, or the
//        payload's first byte), bit 6 adds 5 bytes of zero padding
//     1  the payload as raw TCP bytes of the direction (anything, unencrypted)
//     2  the harness moves the direction to its next key (early -> handshake ->
//        application -> KeyUpdate'd ones); the payload is ignored
//     3  a Finished, right for the transcript so far (the payload is ignored);
//        the direction then moves to its application key, as TLS 1.3 does
//     4  a gap of `length` bytes in the direction
//     5  a handshake message, encrypted: type = the payload's first byte, body
//        the rest; added to the transcript. A KeyUpdate moves the sender's key.
//     6  the ServerHello now (sent before the first server op otherwise)
//     7  an unencrypted record: bits 4-5 the content type as in action 0
// Byte streams are delivered as TcpTracker would (offsets follow on).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tcp/tcp_tracker.h"

namespace tlsring::fuzz {

// Key-log text holding the session's secrets.
std::string tls13_key_log();

// Plays `input` on `handler` (a TlsConnection); returns the last timestamp. Does not close.
std::int64_t play_tls13_script(std::span<const std::uint8_t> input, tcp::ConnectionHandler& handler);

// The connection the scripted harnesses (this one and tls12_script.h) play:
// client 192.0.2.1:51000 = endpoint[0], server 192.0.2.2:3000, SYN seen.
// Writes ops, for seeds.
class Tls13ScriptWriter {
 public:
  explicit Tls13ScriptWriter(bool early_data) { bytes_.push_back(early_data ? 1 : 0); }
  enum Inner : std::uint8_t { kInnerHandshake = 0, kInnerApplication = 1, kInnerAlert = 2 };
  void encrypted(int direction, Inner inner, std::span<const std::uint8_t> plaintext, bool padding = false);
  void next_key(int direction) { op(direction, 2, {}); }
  void finished(int direction) { op(direction, 3, {}); }
  void handshake(int direction, std::uint8_t type, std::span<const std::uint8_t> body);
  void server_hello() { op(1, 6, {}); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  void op(int direction, int action, std::span<const std::uint8_t> payload, int high_bits = 0);
  std::vector<std::uint8_t> bytes_;
};

}  // namespace tlsring::fuzz
