// DirectoryOutput: the SessionSink that writes a decryption run's results
// under one directory (0700; every file 0600):
//   sessions.jsonl                       one JSON object per connection (OutputOptions::sessions_file)
//   keys.log                             master secrets proved by Finished, key-log format
//   connections/<name>.transcript.txt    each application-data record, timed and directed
//   connections/<name>.c2s.bin / .s2c.bin  the decrypted bytes of each direction
// Per-connection output is buffered and appended to its files (opened for each
// write, so thousands of connections never exhaust file descriptors). The
// buffer of a connection shrinks as more connections are open, so memory stays
// flat. Calls for one connection come from one thread (SessionSink's contract);
// different connections write in parallel without a common lock.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/decrypt/session_sink.h"
#include "core/output/private_file.h"

namespace tlsring::output {

struct OutputOptions {
  bool transcripts = true;
  bool payload_files = true;   // *.c2s.bin / *.s2c.bin
  std::size_t buffer_budget = 8u << 20;   // buffered bytes over all open connections, roughly
  std::size_t max_connection_buffer = 256u << 10;
  std::string sessions_file = "sessions.jsonl";  // the service names it report.jsonl
};

struct VerdictCount {
  std::uint64_t count = 0;
  std::string example_reason;   // the first connection's reason and fix
  std::string example_fix;
  std::string example_connection;
};

struct RunTotals {
  std::uint64_t sessions = 0;
  std::uint64_t c2s_bytes = 0;
  std::uint64_t s2c_bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t master_secrets = 0;   // lines in keys.log
};

class DirectoryOutput final : public decrypt::SessionSink {
 public:
  static Result<std::unique_ptr<DirectoryOutput>> create(const std::filesystem::path& directory,
                                                         OutputOptions options);
  ~DirectoryOutput() override;

  void on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                           std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) override;
  void on_master_secret(std::span<const std::uint8_t> client_random,
                        std::span<const std::uint8_t> master_secret) override;
  void on_session_end(const decrypt::SessionReport& session) override;

  // Writes out what open connections hold so far, keeping them open (their
  // files grow on). Only while no other call is running (between capture files).
  Status flush_open_connections();
  // Writes out everything buffered and syncs; the first write error, if any.
  Status finish();

  std::array<VerdictCount, decrypt::kVerdictCount> verdicts() const;
  RunTotals totals() const;
  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct ConnectionOutput {
    std::string base;                         // connections/<name>
    std::string transcript;                   // buffered, not yet written
    std::vector<std::uint8_t> payload[2];
    std::uint64_t payload_written[2] = {0, 0};  // bytes of each direction so far
    bool started = false;                     // files created (truncated) already
    std::size_t buffered() const { return transcript.size() + payload[0].size() + payload[1].size(); }
  };

  DirectoryOutput(std::filesystem::path directory, OutputOptions options, PrivateFile sessions, PrivateFile keys);
  ConnectionOutput& connection(const decrypt::SessionReport& session);
  std::size_t connection_buffer_limit() const;
  void flush(ConnectionOutput& c);
  void write_file(const std::string& relative, std::span<const std::uint8_t> bytes, bool truncate);
  void note_error(const Status& status);

  std::filesystem::path directory_;
  OutputOptions options_;
  mutable std::mutex mutex_;
  PrivateFile sessions_;
  PrivateFile keys_;
  // Node-based: a ConnectionOutput stays put while others come and go.
  std::unordered_map<std::uint64_t, ConnectionOutput> connections_;
  std::array<VerdictCount, decrypt::kVerdictCount> verdicts_{};
  RunTotals totals_;
  std::mutex error_mutex_;
  Status first_error_;
};

}  // namespace tlsring::output
