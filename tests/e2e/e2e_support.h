// Helpers shared by the end-to-end tests: a temporary directory, a sink that
// keeps every decrypted record on its own, running generated captures through
// DecryptEngine, and comparing the result with what the generator sent.
//
// Expected values come from the generator (the plaintext each OpenSSL peer
// received, verified equal to what the other sent; the version and suite
// OpenSSL negotiated), from OpenSSL itself (suite ids) and from RFC 8446 /
// RFC 5246 (version numbers) - never from the core under test.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/capture/capture_reader.h"
#include "core/capture/capture_writer.h"
#include "core/decrypt/decrypt_engine.h"
#include "core/decrypt/key_store.h"
#include "core/decrypt/session_sink.h"
#include "core/keys/rsa_private_key.h"
#include "tests/gen/scenario.h"

namespace tlsring::e2e {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it
// (kept, and its path printed, when TLSRING_E2E_KEEP is set: to debug a failure).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// What the engine said about one connection: every application-data record
// on its own (per direction), and the final report.
struct RecordedConnection {
  std::array<std::vector<std::string>, 2> records;  // by decrypt::Direction
  decrypt::SessionReport report;
  int ends = 0;  // on_session_end calls (exactly one expected)

  std::string bytes(decrypt::Direction d) const;
  std::string c2s() const { return bytes(decrypt::Direction::client_to_server); }
  std::string s2c() const { return bytes(decrypt::Direction::server_to_client); }
};

class RecordSink final : public decrypt::SessionSink {
 public:
  void on_application_data(const decrypt::SessionReport& session, decrypt::Direction direction,
                           std::int64_t timestamp_ns, std::span<const std::uint8_t> plaintext) override;
  void on_master_secret(std::span<const std::uint8_t> client_random,
                        std::span<const std::uint8_t> master_secret) override;
  void on_session_end(const decrypt::SessionReport& session) override;

  std::map<std::uint64_t, RecordedConnection> connections;  // by connection_id
  std::size_t master_secrets = 0;

 private:
  std::mutex mutex_;
};

// generate() that must succeed (REQUIRE).
testgen::GeneratedScenario generate_ok(const testgen::ScenarioConfig& config);

// A config writing into `dir`, `sessions` full handshakes of one spec with an
// RSA key exchange suite, a few small exchanges each.
testgen::ScenarioConfig base_config(const fs::path& dir, const std::string& ciphers = "AES128-GCM-SHA256",
                                    std::size_t sessions = 1);

net::Endpoint to_endpoint(const testgen::TcpEndpoint& e);
keys::RsaPrivateKey load_key(const fs::path& pem);  // REQUIREs success

// Runs `files` (one continuous capture) through a DecryptEngine and finish()es.
struct Decryption {
  RecordSink sink;
  std::vector<decrypt::FileSummary> files;
};
// `workers` > 1 runs the engine's worker pool (the results must not change).
// `known_losses`: times the capture is known to have lost packets in.
std::unique_ptr<Decryption> decrypt_files(decrypt::KeyStore& keys, const std::vector<fs::path>& files,
                                          unsigned workers = 1, const decrypt::CaptureLosses* known_losses = nullptr);
std::vector<fs::path> capture_paths(const testgen::GeneratedScenario& scenario);

// Copies capture `from` (a single link type) to `to` (pcapng) packet by
// packet: `write` gets the writer, the interface every packet goes on, and
// each packet in capture order, and writes what it likes for it.
using PacketRewrite =
    std::function<void(capture::CaptureWriter&, std::uint32_t interface_id, const capture::CapturePacket&)>;
void rewrite_capture(const fs::path& from, const fs::path& to, const PacketRewrite& write);

// Copies capture `from` to `to` (pcapng) without the packets `leave_out`
// returns true for; they are seen in capture order. With `record_drops`, the
// packet written after left-out ones records how many (epb_dropcount), as
// tlsring's ring does after packets it could not write.
void copy_capture_without(const fs::path& from, const fs::path& to,
                          const std::function<bool(const capture::CapturePacket&)>& leave_out,
                          bool record_drops = false);

std::string read_bytes(const fs::path& path);
// What the peers received, per testgen::Direction (c2s, s2c).
std::array<std::string, 2> sent_plaintext(const testgen::ConnectionRecord& c);

// The engine's connection with this client and server endpoint (the first,
// should the 4-tuple be reused); nullptr if none. Connection ids follow the
// order of first appearance, so they equal the manifest's index only while
// connections do not overlap: match by endpoints instead.
const RecordedConnection* find_connection(const Decryption& run, const testgen::TcpEndpoint& client,
                                          const testgen::TcpEndpoint& server);
const RecordedConnection* find_connection(const Decryption& run, const testgen::ConnectionRecord& c);

// "TLSv1" .. "TLSv1.3" (OpenSSL's names) -> the protocol version number.
std::uint16_t version_code(const std::string& openssl_version);
// The IANA id of a suite by its IANA name, as OpenSSL knows it.
std::optional<std::uint16_t> suite_id(const std::string& iana_name);

std::string describe(const RecordedConnection& c);

// Checks (CHECK, not REQUIRE) that connection `c` of the manifest decrypted
// exactly: verdict decrypted, both directions byte-equal to what was sent, the
// version and suite OpenSSL negotiated, `resumed` as given.
void check_exact(const Decryption& run, const testgen::ConnectionRecord& c,
                 decrypt::Resumption resumed = decrypt::Resumption::no);
// The same for a connection not in a manifest: `sent` per testgen::Direction,
// `version` and `cipher` as OpenSSL names them ("TLSv1.2", IANA suite name).
void check_decrypted(const Decryption& run, const testgen::TcpEndpoint& client, const testgen::TcpEndpoint& server,
                     const std::array<std::string, 2>& sent, const std::string& version, const std::string& cipher,
                     decrypt::Resumption resumed = decrypt::Resumption::no);

// True when `records`, in order, are non-overlapping substrings of `sent`
// appearing in the same order (each record starts at or after the end of the
// one before). `where` receives the index of the first record that is not.
bool records_in_order(const std::vector<std::string>& records, const std::string& sent, std::size_t* where);

}  // namespace tlsring::e2e
