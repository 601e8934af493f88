// The input format of fuzz_tls12_records: a TLS 1.0-1.2 connection whose
// records the harness protects itself (an implementation of RFC 5246 §6.2.3,
// RFC 7366, RFC 5288 and RFC 7905 written for the test), so that the fuzzer
// reaches what only decryption reveals: CBC padding and MAC checks on chosen
// plaintext, encrypt-then-MAC, AEAD and stream records, Finished
// verification, and renegotiation under encryption.
//
// The session's master secrets are in tls12_key_log() (CLIENT_RANDOM lines for
// the first handshake and for renegotiations). The key block and Finished
// verify data come from core/crypto's key schedule; the record protection is
// the harness's own.
//
//   byte 0   flags: bits 0-1 the version (TLS 1.2, 1.1, 1.0, 1.2), bits 2-4 the
//            suite (AES128-SHA, AES128-SHA256, AES128-GCM-SHA256,
//            AES256-GCM-SHA384, ECDHE-RSA-CHACHA20-POLY1305, AES256-SHA,
//            RC4-SHA, DES-CBC3-SHA), bit 5 encrypt-then-MAC, bit 6 extended
//            master secret (both offered by the client and accepted)
//   then ops one byte, a 2-byte big-endian length, the payload. Op bit 0: the
//            direction (0 client to server); bits 1-3 the action:
//     0  a record protected as the direction's keys say (plaintext while no
//        ChangeCipherSpec): bits 4-5 the content type (handshake,
//        application_data, alert, or the payload's first byte)
//     1  the payload as raw TCP bytes of the direction
//     2  a ChangeCipherSpec; the direction's records are protected with the
//        current handshake's keys from then on
//     3  a Finished, right for the transcript and master secret
//     4  a gap of `length` bytes
//     5  a handshake message (type = first payload byte), added to the transcript
//     6  the next handshake step: the server sends ServerHello + ServerHelloDone;
//        the client sends its ClientKeyExchange, or once it has, a new
//        ClientHello (renegotiation)
//     7  CBC: the payload is the whole plaintext (content, MAC and padding as the
//        fuzzer wrote them, cut to whole blocks); other ciphers: as action 0
//        without the MAC (stream) or with it (AEAD)
// The ClientHello is sent first; the ServerHello goes out before the server's
// first op when the input did not ask for it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/tcp/tcp_tracker.h"
#include "tests/fuzz/record_script.h"

namespace tlsring::fuzz {

std::string tls12_key_log();
std::int64_t play_tls12_script(std::span<const std::uint8_t> input, tcp::ConnectionHandler& handler);

class Tls12ScriptWriter {
 public:
  Tls12ScriptWriter(int version_index, int suite_index, bool etm, bool ems) {
    bytes_.push_back(static_cast<std::uint8_t>(version_index | (suite_index << 2) | (etm ? 32 : 0) | (ems ? 64 : 0)));
  }
  enum Type : std::uint8_t { kHandshake = 0, kApplication = 1, kAlert = 2 };
  void record(int direction, Type type, std::span<const std::uint8_t> payload) { op(direction, 0, payload, type << 4); }
  void change_cipher_spec(int direction) { op(direction, 2, {}); }
  void finished(int direction) { op(direction, 3, {}); }
  void step(int direction) { op(direction, 6, {}); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  void op(int direction, int action, std::span<const std::uint8_t> payload, int high_bits = 0) {
    append_script_op(bytes_, direction, action, payload, high_bits);
  }
  std::vector<std::uint8_t> bytes_;
};

}  // namespace tlsring::fuzz
