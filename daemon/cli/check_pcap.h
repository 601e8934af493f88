// `tlsring check --pcap CAPTURE...`: runs a capture (one or more files, one
// continuous capture) through the decryptor with the configured keys, writing
// nothing, and says per server what was seen and whether it decrypts:
//   ok    decrypted;
//   FAIL  key_mismatch where a key was given for the server (bound to it, or
//         an unbound key configured);
//   warn  every other verdict (no key, (EC)DHE or TLS 1.3, handshake not
//         captured, packets lost, ...), with the reports' own reason and fix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/decrypt/decrypt_engine.h"
#include "core/decrypt/key_store.h"
#include "core/decrypt/session_sink.h"
#include "daemon/cli/check_report.h"

namespace tlsring::cli {

// A SessionSink that keeps the final SessionReports and nothing else.
class ReportCollector final : public decrypt::SessionSink {
 public:
  void on_application_data(const decrypt::SessionReport&, decrypt::Direction, std::int64_t,
                           std::span<const std::uint8_t>) override {}
  void on_master_secret(std::span<const std::uint8_t>, std::span<const std::uint8_t>) override {}
  void on_session_end(const decrypt::SessionReport& session) override;
  // The reports in connection order (call after DecryptEngine::finish).
  std::vector<decrypt::SessionReport> take();

 private:
  std::mutex mutex_;
  std::vector<decrypt::SessionReport> reports_;
};

// What the capture says about one server endpoint.
struct ServerSummary {
  struct VerdictGroup {
    std::size_t connections = 0;
    std::map<std::string, std::size_t> suites;  // suite name -> connections
    std::string reason;                         // of the first connection with this verdict
    std::string fix;
  };
  net::Endpoint server;
  std::string certificate_subject;               // first one seen; "" when none
  std::size_t connections = 0;
  std::map<std::string, std::size_t> suites;     // suite name -> connections
  std::map<decrypt::Verdict, VerdictGroup> verdicts;
};

std::vector<ServerSummary> summarize_by_server(const std::vector<decrypt::SessionReport>& reports);

// Which keys the configuration gives, to tell a wrong key from no key.
struct ConfiguredKeys {
  std::set<net::Endpoint> bound;  // servers with a key bound to them
  bool any_unbound = false;
  std::string config_file;        // for the fixes' "add to decrypt.keys in FILE"
};

// One line per server (status: the worst of its verdicts), its certificate,
// suites and verdicts with counts, and for every verdict but decrypted the
// reason and fix. Then a warn per bound server the capture never shows.
std::vector<CheckLine> server_lines(const std::vector<ServerSummary>& servers, const ConfiguredKeys& keys);

struct CaptureRun {
  std::vector<decrypt::FileSummary> files;
  std::vector<decrypt::SessionReport> reports;
};

// Runs `files` through a DecryptEngine with `store`, `workers` threads.
Result<CaptureRun> run_capture(const std::vector<std::filesystem::path>& files, decrypt::KeyStore& store,
                               unsigned workers);

// The capture's own line (files, packets, connections) and its files' warnings.
std::vector<CheckLine> capture_lines(const CaptureRun& run);

}  // namespace tlsring::cli
