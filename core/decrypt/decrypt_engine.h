// DecryptEngine: runs capture files through the SSL core. Several files are
// one continuous capture, in the order added: TCP streams and TLS sessions go
// on from one file to the next. Every TCP connection is examined (TLS is found
// by content, not by port). Key-log text in pcapng Decryption Secrets Blocks
// joins the KeyStore as it is met.
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
};

class DecryptEngine final : private tcp::ConnectionFactory {
 public:
  DecryptEngine(KeyStore& keys, SessionSink& sink, EngineOptions options = {});
  ~DecryptEngine() override;

  // Reads one file through. An error only when the file cannot be opened or is
  // not a capture; a file cut short is read up to the cut and says so in warnings.
  Result<FileSummary> add_file(const std::filesystem::path& path);
  // The capture ended: every open connection is closed and reported.
  void finish();

  const tcp::TrackerStats& tcp_stats() const;
  std::int64_t last_timestamp_ns() const { return last_timestamp_ns_; }

 private:
  std::unique_ptr<tcp::ConnectionHandler> open(const tcp::ConnectionInfo& info) override;

  KeyStore& keys_;
  SessionSink& sink_;
  std::unique_ptr<tcp::TcpTracker> tracker_;
  std::int64_t last_timestamp_ns_ = 0;
  bool finished_ = false;
};

}  // namespace tlsring::decrypt
