// DirectoryOutput: the SessionSink that writes a decryption run's results
// under one directory (0700; every file 0600):
//   sessions.jsonl                       one JSON object per connection (OutputOptions::sessions_file)
//   keys.log                             master secrets proved by Finished, key-log format
//   (OutputOptions::tickets_file)        session tickets and their master secrets (the service)
//   connections/<name>.transcript.txt    each application-data record, timed and directed
//   connections/<name>.c2s.bin / .s2c.bin  the decrypted bytes of each direction
// Per-connection output is buffered and appended to its files (opened for each
// write, so thousands of connections never exhaust file descriptors). The
// buffer of a connection shrinks as more connections are open, so memory stays
// flat. Calls for one connection come from one thread (SessionSink's contract);
// different connections buffer in parallel without a common lock (the table of
// connections is split in shards, each with a lock of its own). Full
// buffers are written by a thread of the output's own (a bounded queue), so
// that decryption goes on meanwhile; flush_open_connections() and finish()
// return once everything handed over is written.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include "core/decrypt/session_sink.h"
#include "core/output/private_file.h"
#include "core/output/write_gate.h"
#include "core/output/write_queue.h"
#include "core/recent_keys.h"

namespace tlsring::output {

struct OutputOptions {
  bool transcripts = true;
  bool payload_files = true;   // *.c2s.bin / *.s2c.bin
  std::size_t buffer_budget = 8u << 20;   // buffered bytes over all open connections, roughly;
                                          // up to half as much again is queued for writing, and
                                          // written buffers up to a budget are kept for reuse
  std::size_t max_connection_buffer = 256u << 10;
  std::string sessions_file = "sessions.jsonl";  // the service names it report.jsonl
  // Session tickets with their master secrets (keys::format_session_ticket_line),
  // for a later run to resume by; empty: not written (tlsring decrypt).
  std::string tickets_file;
  // Asked before each block of transcripts and decrypted bytes is written
  // (write_gate.h); not owned, outlives the output. Null: always written.
  WriteGate* gate = nullptr;
};

struct VerdictCount {
  std::uint64_t count = 0;
  std::string example_reason;   // the reason and fix of the first connection to end
  std::string example_fix;
  std::string example_connection;
  // Where the example ended, then its id: the first to end with one worker, whatever the number.
  std::pair<decrypt::CaptureOrder, std::uint64_t> example_at{decrypt::CaptureOrder::end(), 0};
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
  void on_session_id(std::span<const std::uint8_t> session_id, std::span<const std::uint8_t> master_secret) override;
  void on_session_ticket(std::span<const std::uint8_t> ticket, std::span<const std::uint8_t> master_secret) override;
  void on_session_end(const decrypt::SessionReport& session) override;

  // Writes out what open connections hold so far, keeping them open (their
  // files grow on). Only while no other call is running (between capture files).
  Status flush_open_connections();
  // Writes out everything buffered and syncs; the first write error, if any.
  Status finish();

  std::array<VerdictCount, decrypt::kVerdictCount> verdicts() const;
  RunTotals totals() const;
  // Decrypted (also partly) connections by where their keys came from
  // (SessionReport::keys_from): a few entries, one per key, key log, cache.
  std::map<std::string, std::uint64_t> keys_used() const;
  const std::filesystem::path& directory() const { return directory_; }
  // Bytes written so far into sessions.jsonl, keys.log and connections/: what
  // the results take on the disk (any thread).
  std::uint64_t bytes_written() const { return bytes_written_.load(std::memory_order_relaxed); }

  // Session IDs whose keys.log line is written, remembered to write it once
  // however many connections resume the session: the recent ones only, so
  // that a service's memory does not grow with every session for days (one
  // resumed after this many other sessions gets its line again, the same).
  static constexpr std::size_t kSessionIdsRemembered = 50000;

 private:
  // A text record's bytes that belong in the transcript at `transcript_at`:
  // they are written from the payload buffer, not copied into the transcript.
  struct TextInPayload {
    std::size_t transcript_at;
    int direction;
    std::size_t offset;   // in payload[direction]
    std::size_t length;
  };
  // What a connection has not written yet.
  struct Buffers {
    std::string transcript;
    std::vector<TextInPayload> transcript_text;  // in transcript order
    std::vector<std::uint8_t> payload[2];
    std::size_t size() const { return transcript.size() + payload[0].size() + payload[1].size(); }
    std::size_t capacity() const { return transcript.capacity() + payload[0].capacity() + payload[1].capacity(); }
    void clear();
  };
  struct FileNames {
    std::string transcript;                   // <name>.transcript.txt
    std::string payload[2];                   // <name>.c2s.bin, <name>.s2c.bin
  };
  struct ConnectionOutput {
    std::string base;                         // connections/<name>
    std::shared_ptr<const FileNames> names;   // shared with the writes queued
    Buffers buffers;
    std::uint64_t payload_written[2] = {0, 0};  // bytes of each direction so far
    bool started = false;                     // files created (truncated) already
  };

  // The open connections by id, a shard of them. Every record looks its
  // connection up: with one table, the decrypting threads would take turns at
  // its lock (and pass the lock's cache line around) for each record.
  struct alignas(64) ConnectionShard {
    std::mutex mutex;
    // Node-based: a ConnectionOutput stays put while others come and go.
    std::unordered_map<std::uint64_t, ConnectionOutput> connections;
  };
  static constexpr std::size_t kConnectionShards = 16;

  DirectoryOutput(std::filesystem::path directory, OutputOptions options, PrivateDirectory connections_directory,
                  PrivateFile sessions, PrivateFile keys, PrivateFile tickets);
  ConnectionShard& shard_of(std::uint64_t connection_id) { return shards_[connection_id % kConnectionShards]; }
  ConnectionOutput& connection(const decrypt::SessionReport& session);
  std::size_t connection_buffer_limit() const;
  // Hands what the connection holds to the write queue; when the connection
  // `goes_on`, it buffers on in a spare set.
  void flush(ConnectionOutput& c, bool goes_on);
  // flush() of every open connection, then forgets them when `close`.
  void flush_all(bool close);
  // flush_all(close), then everything queued written and sessions.jsonl and
  // keys.log synced; the first error met so far.
  Status write_out(bool close);
  // On the write queue's thread.
  void write_transcript(const FileNames& names, const Buffers& buffers, bool truncate);
  void write_payload(const FileNames& names, const Buffers& buffers, bool truncate);
  // `name` is a file in connections/.
  void write_file(const std::string& name, std::span<const std::span<const std::uint8_t>> pieces, bool truncate);
  Buffers spare_buffers();
  void recycle(Buffers buffers);
  void note_error(const Status& status);
  // Lines for sessions_ or keys_ are gathered and written in blocks (a write
  // per session cost a system call each); under mutex_.
  void append_line(PrivateFile& file, std::string& pending, std::string_view line);
  void write_pending(PrivateFile& file, std::string& pending);
  // write_pending(), then the file synced (a file not open: nothing).
  void write_and_sync(PrivateFile& file, std::string& pending);

  std::filesystem::path directory_;
  OutputOptions options_;
  PrivateDirectory connections_directory_;
  mutable std::mutex mutex_;
  PrivateFile sessions_;
  PrivateFile keys_;
  PrivateFile tickets_;           // not open when OutputOptions::tickets_file is empty
  std::string sessions_pending_;  // lines not written to sessions_ yet
  std::string keys_pending_;
  std::string tickets_pending_;
  // Raw bytes: one line per session ID, among the last kSessionIdsRemembered.
  RecentKeys session_ids_written_{kSessionIdsRemembered};
  std::array<ConnectionShard, kConnectionShards> shards_;
  std::atomic<std::size_t> open_connections_{0};  // connections in shards_
  std::atomic<std::uint64_t> bytes_written_{0};
  std::array<VerdictCount, decrypt::kVerdictCount> verdicts_{};
  RunTotals totals_;
  std::map<std::string, std::uint64_t> keys_used_;
  std::mutex error_mutex_;
  Status first_error_;
  std::mutex spare_mutex_;
  std::vector<Buffers> spare_;   // written buffers kept for reuse (their memory is warm)
  std::size_t spare_bytes_ = 0;  // their capacity
  // Last: it stops (running what is queued) before the members above go.
  std::unique_ptr<WriteQueue> write_queue_;
};

}  // namespace tlsring::output
