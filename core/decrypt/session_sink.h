// Where a decrypting connection sends what it finds. core/output implements it
// (transcripts, *.bin, keys.log, sessions.jsonl); tests record into memory.
// Calls for one connection come from one thread, in order; calls for different
// connections may come from different threads.
#pragma once

#include <cstdint>
#include <span>

#include "core/decrypt/session_report.h"

namespace tlsring::decrypt {

class SessionSink {
 public:
  virtual ~SessionSink() = default;
  // One decrypted application-data record (never empty).
  virtual void on_application_data(const SessionReport& session, Direction direction, std::int64_t timestamp_ns,
                                   std::span<const std::uint8_t> plaintext) = 0;
  // A master secret proved right by a verified Finished (TLS <= 1.2).
  virtual void on_master_secret(std::span<const std::uint8_t> client_random,
                                std::span<const std::uint8_t> master_secret) = 0;
  // The session ID the server gave that proved master secret (TLS <= 1.2,
  // when not empty): later connections may resume the session by it, also in
  // a later capture decrypted with this pair as a key log.
  virtual void on_session_id(std::span<const std::uint8_t> /*session_id*/,
                             std::span<const std::uint8_t> /*master_secret*/) {}
  // A session ticket the server gave for a proved master secret (TLS <= 1.2):
  // later connections may resume the session with it.
  virtual void on_session_ticket(std::span<const std::uint8_t> /*ticket*/,
                                 std::span<const std::uint8_t> /*master_secret*/) {}
  // The connection ended; `session` holds the final verdict.
  virtual void on_session_end(const SessionReport& session) = 0;
};

}  // namespace tlsring::decrypt
