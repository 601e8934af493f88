// The traffic generator's front door: a ScenarioConfig describes sessions of
// real TLS (versions, suites, extensions, resumption, renegotiation, 0-RTT,
// messages), the network they cross (addresses, link layer, impairments) and
// the files to write; generate() runs them and writes the capture file(s), the
// key log, the server key and certificate, the plaintext of every connection
// and a manifest (JSON and TSV) that says what is where.
//
// Determinism: TCP/IP fields, timestamps, message contents and impairments
// follow from `seed`; TLS randoms and keys come from OpenSSL and differ per run.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/capture/capture_writer.h"
#include "core/result.h"
#include "tests/gen/frame_builder.h"
#include "tests/gen/impairments.h"
#include "tests/gen/tcp_flow.h"
#include "tests/gen/tls_connection.h"
#include "tests/gen/traffic.h"

namespace tlsring::testgen {

// How the connections of one session negotiate and what they say.
struct SessionSpec {
  // Version, suites, EMS, ETM, resumption mode. max_early_data and
  // allow_client_renegotiation are derived from the fields below.
  TlsOptions tls;
  // Connections that resume the session after its full handshake (when
  // tls.resumption != none); each resumes the session of the one before.
  std::size_t resumptions = 1;
  // TLS <= 1.2: renegotiate after this many messages of each connection.
  std::optional<std::size_t> renegotiate_after;
  Side renegotiation_initiator = Side::client;
  // TLS 1.3: this many bytes of 0-RTT data at the start of each resumed connection.
  std::size_t early_data = 0;
  bool close_notify = true;
  TrafficPlan traffic;
};

struct NetworkPlan {
  bool ipv6 = false;
  std::string server_ip;  // "" = 10.1.0.1 or fd00:1::1
  std::string client_ip;  // first client address; "" = 10.2.0.10 or fd00:2::10
  std::uint16_t server_port = 3000;
  std::uint16_t client_port = 49152;   // connection i uses client_port + i % client_ports
  std::uint16_t client_ports = 16000;  // then moves to the next client address
  FrameOptions frame;                  // link layer, VLAN tag, MAC addresses
  std::uint16_t mss = 1460;
  bool tcp_handshake = true;           // SYN/SYN-ACK/ACK (otherwise the capture starts mid-stream)
  bool tcp_close = true;               // FIN/FIN-ACK/ACK
  bool isn_near_wrap = false;          // initial sequence numbers a few KB below 2^32
};

// The deterministic clock: nothing reads the real time.
struct ClockPlan {
  std::int64_t start_ns = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
  std::int64_t connection_gap_ns = 10'000'000;  // from one connection's last packet to the next's first
  // > 0: connection i starts at start_ns + i * start_interval_ns whatever the
  // others do, so long connections overlap and their packets interleave.
  std::int64_t start_interval_ns = 0;
  TcpTiming tcp;
};

struct OutputPlan {
  std::filesystem::path dir;  // created if missing
  std::string name = "capture";  // NAME.pcapng, or NAME-1.pcapng, NAME-2.pcapng... when split
  capture::CaptureFormat format = capture::CaptureFormat::pcapng;
  std::uint32_t snaplen = 262144;
  std::string interface_name = "gen0";  // pcapng if_name
  // A new file starts at each of these 0-based packet indexes (across all files)...
  std::vector<std::uint64_t> split_at_packets;
  // ...and with the first packet of each of these connections.
  std::vector<std::size_t> split_before_connections;
  bool embed_secrets = false;     // pcapng: each connection's key-log lines in a DSB before its first packet
  bool write_keylog = true;       // keys.log
  bool write_plaintext = true;    // conn-N.c2s.bin, conn-N.s2c.bin
  bool write_manifest = true;     // manifest.json, manifest.tsv
  bool write_credentials = true;  // server.key.pem (PKCS#8), server.cert.pem
  std::string pkcs12_password;    // not empty: server.p12 as well
  // pcapng: each file ends with an Interface Statistics Block saying that the
  // capture dropped this many packets from the file's first packet on, as a
  // capturing program writes one when it closes a file.
  std::optional<std::uint64_t> closing_drops;
};

struct ScenarioConfig {
  std::vector<SessionSpec> specs{SessionSpec{}};  // session k follows specs[k % specs.size()]
  std::size_t sessions = 1;  // full handshakes, each followed by its spec's resumptions
  NetworkPlan network;
  Impairments impairments;
  std::vector<std::size_t> impaired_connections;  // empty: all; otherwise only these connection indexes
  ClockPlan clock;
  OutputPlan output;
  std::uint64_t seed = 1;
  // Both set: the server uses this key and certificate instead of generated ones.
  std::optional<std::filesystem::path> key_pem;
  std::optional<std::filesystem::path> cert_pem;
};

struct ConnectionRecord {
  std::size_t index = 0;    // 0-based, in order of the connections' start
  std::size_t session = 0;  // which full handshake's session it belongs to
  std::size_t spec = 0;     // index into ScenarioConfig::specs
  std::optional<std::size_t> resumes;  // the connection whose session it offered to resume
  TcpEndpoint client;
  TcpEndpoint server;
  std::string version;         // "TLSv1.2"
  std::string cipher;          // IANA name, "TLS_RSA_WITH_AES_128_GCM_SHA256"
  std::string cipher_openssl;  // "AES128-GCM-SHA256"
  bool resumed = false;  // its first handshake resumed the session
  int renegotiations = 0;
  bool early_data_offered = false;
  bool early_data_accepted = false;
  std::size_t early_data_bytes = 0;
  std::string client_random;  // hex, first handshake
  std::string keylog;         // this connection's key-log lines
  std::uint32_t client_isn = 0;
  std::uint32_t server_isn = 0;
  std::array<std::uint64_t, 2> plaintext_bytes{0, 0};  // per Direction
  std::array<std::uint64_t, 2> wire_bytes{0, 0};       // TLS bytes per Direction
  std::array<std::filesystem::path, 2> plaintext_files;
  std::int64_t first_timestamp_ns = 0;
  std::int64_t last_timestamp_ns = 0;
  std::uint64_t packets_generated = 0;  // before impairments
  std::uint64_t packets_written = 0;
  std::uint64_t first_packet = 0;  // 1-based number across all files (0: none written)
  std::uint64_t last_packet = 0;
  std::vector<std::size_t> files;  // indexes into GeneratedScenario::files
  ImpairmentStats impairments;
};

struct CaptureFileRecord {
  std::filesystem::path path;
  capture::CaptureFormat format = capture::CaptureFormat::pcapng;
  std::uint32_t link_type = 0;
  std::uint64_t packets = 0;
  std::uint64_t first_packet = 0;  // 1-based number of its first packet across all files
  std::uint64_t secrets_blocks = 0;
  std::uint64_t bytes = 0;
};

struct GeneratedScenario {
  std::vector<CaptureFileRecord> files;
  std::vector<ConnectionRecord> connections;
  std::uint64_t packets = 0;
  std::filesystem::path keylog;         // empty when not written
  std::filesystem::path key_pem;
  std::filesystem::path cert_pem;
  std::filesystem::path pkcs12;
  std::filesystem::path manifest_json;
  std::filesystem::path manifest_tsv;
};

// Checks the config and says what is wrong with it (before anything runs).
Status validate(const ScenarioConfig& config);

Result<GeneratedScenario> generate(const ScenarioConfig& config);

// manifest.json and manifest.tsv in `dir` (generate() calls it when asked).
Status write_manifest(const GeneratedScenario& scenario, const ScenarioConfig& config,
                      const std::filesystem::path& dir);

}  // namespace tlsring::testgen
