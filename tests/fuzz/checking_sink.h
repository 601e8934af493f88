// A SessionSink that checks, as the engine calls it, the promises of
// core/decrypt/session_sink.h and session_report.h, and aborts (a fuzz
// failure) on the first one broken:
//  - an application-data record is never empty, and never comes after its
//    connection's on_session_end;
//  - on_session_end comes once per connection;
//  - every verdict but `decrypted` has a reason a person can read;
//  - `decrypted` means every record decrypted: no undecrypted record, no gap;
//  - the report's byte and record counts are what the sink was given.
// verify_all_ended() checks, after DecryptEngine::finish() (or the last
// on_close), that every connection that produced data was reported.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <mutex>

#include "core/decrypt/session_sink.h"

namespace tlsring::fuzz {

class CheckingSink final : public decrypt::SessionSink {
 public:
  void on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                           std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) override;
  void on_master_secret(std::span<const std::uint8_t> client_random,
                        std::span<const std::uint8_t> master_secret) override;
  void on_session_end(const decrypt::SessionReport& session) override;

  void verify_all_ended() const;
  std::size_t sessions_ended() const { return ended_; }

 private:
  struct Seen {
    std::uint64_t bytes[2] = {0, 0};
    std::uint64_t records = 0;
    bool ended = false;
  };
  mutable std::mutex mutex_;  // the engine's workers call from several threads
  std::map<std::uint64_t, Seen> connections_;
  std::size_t ended_ = 0;
};

}  // namespace tlsring::fuzz
