// DecryptEngine: runs capture files through the SSL core. Several files are
// one continuous capture, in the order added: TCP streams and TLS sessions go
// on from one file to the next. Every TCP connection is examined (TLS is found
// by content, not by port). Key-log text in pcapng Decryption Secrets Blocks
// joins the KeyStore as it is met.
//
// With several workers, the calling thread reads and decodes the packets and
// sorts them by connection (a hash of the 4-tuple) into shards: its own, whose
// connections it reassembles and decrypts right away, and one per worker
// thread, handed over in rounds of a batch per worker (a few rounds may be in
// flight). The calling thread's share is smaller, since reading takes the rest
// of its time. Packets are handed over as views into the reader's buffers,
// without copying; add_file() returns once the workers are done with its
// packets (as after drain()), since its buffers go with it.
// A session resumed in one shard may need the full handshake another shard
// decrypts: a resumption whose session is not in the cache yet holds its
// records until every shard has read past the place where it looked, and is
// then settled with what the cache learned up to that place
// (capture_order.h), in capture order: by the calling thread, between rounds
// (with the workers idle when a worker's connection waits). Key-log text in
// the capture joins the KeyStore with no round under way. The results are the
// same whatever the number of workers (but for connections closed by idle
// timeout or by max_connections, which count per shard).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/capture/capture_reader.h"
#include "core/capture/file_mapping.h"
#include "core/decrypt/capture_losses.h"
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
  // Capture times of the file's first and last packets (when packets > 0).
  std::int64_t first_timestamp_ns = 0;
  std::int64_t last_timestamp_ns = 0;
  // Packets the file's closing statistics say the capturing side dropped, past
  // those the previous file of the same capture counted (0 when it says none).
  std::uint64_t dropped_by_capture = 0;
  std::vector<std::string> warnings;     // truncation, bad DSB text, unknown link types, drops
};

struct EngineOptions {
  tcp::TcpTracker::Options tcp;
  unsigned workers = 1;                  // threads decrypting, the calling thread included
  // Times the capture is known to have lost packets in (may be null); the
  // caller adds to it only between add_file() calls. The engine adds to them,
  // for itself, the drop counts the files record.
  const CaptureLosses* known_losses = nullptr;
  // How the files are read. ReadMethod::map (no copy) only when no file can
  // shrink while it is read: the service's own completed capture files, not
  // files another program may still rewrite (core/capture/file_mapping.h).
  capture::ReadMethod read_method = capture::ReadMethod::copy;
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
  // For the files added from now on (on at first): the drops that the Interface
  // Statistics Blocks at a file's end count (what dumpcap and Wireshark write)
  // become a known loss over the time they cover, and a warning of the file.
  // The service turns this off for its own files: it knows when its capture
  // dropped packets to a few seconds (daemon/service/capture_drops.h); it
  // leaves it on for the files an earlier run left.
  void set_losses_from_file_statistics(bool use) { losses_from_file_statistics_ = use; }
  // Every packet read so far has been decrypted and handed to the sink, and no
  // worker is running (connections stay open). The service calls it after
  // each file, so that a file's results are complete when it says so.
  void drain();
  // The capture ended: every open connection is closed and reported.
  void finish();

  // Places the capture files record a drop count at that are known losses one
  // by one; past them, one known loss covers the rest (add_recorded_loss).
  static constexpr std::size_t kRecordedLossesTold = 256;

  // Packets read so far over all files; connection ids are these packet numbers.
  std::uint64_t packets_read() const { return packet_number_; }
  std::int64_t last_timestamp_ns() const { return last_timestamp_ns_; }

 private:
  class Shard;
  class Pool;

  void add_recorded_loss(std::uint64_t dropped, std::int64_t timestamp_ns);
  void add_statistics_loss(const std::vector<capture::InterfaceStatistics>& statistics,
                           std::int64_t first_packet_ns, FileSummary& summary);

  KeyStore& keys_;
  SessionSink& sink_;
  // The caller's known losses (copied in before each file) and the files'.
  const CaptureLosses* caller_losses_;
  std::size_t caller_losses_copied_ = 0;
  CaptureLosses losses_;
  std::size_t recorded_losses_ = 0;  // places the files recorded a drop count at
  // The last drop count a file's statistics gave per interface id: a ring's
  // next file may count on from the same start (dumpcap's counters do).
  struct CountedDrops {
    std::optional<std::int64_t> start_ns;
    std::uint64_t dropped = 0;
    std::int64_t timestamp_ns = 0;
  };
  std::map<std::uint32_t, CountedDrops> counted_drops_;
  bool losses_from_file_statistics_ = true;
  std::unique_ptr<Shard> inline_shard_;  // workers == 1
  std::unique_ptr<Pool> pool_;           // workers > 1
  std::uint64_t packet_number_ = 0;
  std::int64_t last_timestamp_ns_ = 0;
  capture::ReadMethod read_method_;
  bool finished_ = false;
};

}  // namespace tlsring::decrypt
