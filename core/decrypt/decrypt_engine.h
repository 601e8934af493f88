// DecryptEngine: runs capture files through the SSL core. Several files are
// one continuous capture, in the order added: TCP streams and TLS sessions go
// on from one file to the next. Every TCP connection is examined (TLS is found
// by content, not by port). Key-log text in pcapng Decryption Secrets Blocks
// joins the KeyStore as it is met.
//
// With several workers, the calling thread reads and decodes the packets and
// hands them, in batches, to the worker that owns their connection (by a hash
// of the 4-tuple); each worker reassembles and decrypts its own connections.
// Packets are handed over as views into the reader's buffers, without
// copying; add_file() returns once the workers are done with its packets (as
// after drain()), since its buffers go with it.
// After every batch the workers meet, so that a session resumed in one worker
// finds the full handshake another worker decrypted earlier in the capture:
// a resumption whose session is not in the cache yet holds its records until
// the meeting, and is then settled with what the cache learned up to its place
// in the capture (capture_order.h), in capture order. Key-log text in the
// capture joins the KeyStore with no batch under way. The results are the same
// whatever the number of workers (but for connections closed by idle timeout
// or by max_connections, which count per worker).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/decrypt/key_store.h"
#include "core/decrypt/session_sink.h"
#include "core/result.h"
#include "core/tcp/tcp_tracker.h"

namespace tlsring::decrypt {

struct FileSummary {
  std::filesystem::path path;
  std::uint64_t packets = 0;
  std::uint64_t tcp_segments = 0;
  std::uint64_t other_packets = 0;       // valid frames without TCP
  std::uint64_t undecodable_packets = 0; // malformed, fragments, unknown link types
  std::uint64_t secrets_blocks = 0;
  bool truncated = false;
  std::vector<std::string> warnings;     // truncation, bad DSB text, unknown link types
};

struct EngineOptions {
  tcp::TcpTracker::Options tcp;
  unsigned workers = 1;                  // threads decrypting; 1 = all in the calling thread
};

class DecryptEngine {
 public:
  DecryptEngine(KeyStore& keys, SessionSink& sink, EngineOptions options = {});
  ~DecryptEngine();
  DecryptEngine(const DecryptEngine&) = delete;
  DecryptEngine& operator=(const DecryptEngine&) = delete;

  // Reads one file through. An error only when the file cannot be opened or is
  // not a capture; a file cut short is read up to the cut and says so in warnings.
  Result<FileSummary> add_file(const std::filesystem::path& path);
  // Every packet read so far has been decrypted and handed to the sink, and no
  // worker is running (connections stay open). The service calls it after
  // each file, so that a file's results are complete when it says so.
  void drain();
  // The capture ended: every open connection is closed and reported.
  void finish();

  // Packets read so far over all files; connection ids are these packet numbers.
  std::uint64_t packets_read() const { return packet_number_; }
  std::int64_t last_timestamp_ns() const { return last_timestamp_ns_; }

 private:
  class Shard;
  class Pool;

  KeyStore& keys_;
  SessionSink& sink_;
  std::unique_ptr<Shard> inline_shard_;  // workers == 1
  std::unique_ptr<Pool> pool_;           // workers > 1
  std::uint64_t packet_number_ = 0;
  std::int64_t last_timestamp_ns_ = 0;
  bool finished_ = false;
};

}  // namespace tlsring::decrypt
