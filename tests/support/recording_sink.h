// A SessionSink that keeps everything in memory, for tests.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/decrypt/session_sink.h"

namespace tlsring::testing {

struct RecordedConnection {
  std::string c2s;  // decrypted bytes per direction
  std::string s2c;
  std::uint64_t c2s_records = 0;
  std::uint64_t s2c_records = 0;
  decrypt::SessionReport report;   // set at the end
  bool ended = false;
};

class RecordingSink final : public decrypt::SessionSink {
 public:
  void on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction, std::int64_t,
                           std::span<const std::uint8_t> plaintext) override {
    std::lock_guard lock(mutex_);
    auto& c = connections[session.connection_id];
    const std::string bytes(plaintext.begin(), plaintext.end());
    if (direction == decrypt::Direction::client_to_server) {
      c.c2s += bytes;
      ++c.c2s_records;
    } else {
      c.s2c += bytes;
      ++c.s2c_records;
    }
  }
  void on_master_secret(std::span<const std::uint8_t> client_random,
                        std::span<const std::uint8_t> master_secret) override {
    std::lock_guard lock(mutex_);
    master_secrets.emplace_back(std::string(client_random.begin(), client_random.end()),
                                std::string(master_secret.begin(), master_secret.end()));
  }
  void on_session_end(const decrypt::SessionReport& session) override {
    std::lock_guard lock(mutex_);
    auto& c = connections[session.connection_id];
    c.report = session;
    c.ended = true;
  }

  std::map<std::uint64_t, RecordedConnection> connections;
  std::vector<std::pair<std::string, std::string>> master_secrets;  // raw client random, raw master

 private:
  std::mutex mutex_;
};

}  // namespace tlsring::testing
