// LiveTraffic: real TLS traffic over real sockets on loopback, as a CTI site
// makes it: an OpenSSL server (T-Server-like, one RSA key, TLS 1.2 with RSA key
// exchange) and clients sending events and getting acknowledgements:
//   - one long connection that sends a message every `interval` for the whole
//     duration (it spans several capture files),
//   - short connections of a few messages each, started one after another,
//   - every second short connection resumes the previous one's session by ID.
// Every message sent is recorded, so a test can find it again decrypted.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tlsring::testsvc {

struct TrafficOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3000;
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds interval{400};  // between messages of the long connection
  unsigned short_connections = 6;
  unsigned messages_per_connection = 3;
  // The short connections' events carry this many bytes of attached user data
  // (UserData=...), as T-Server events with large attribute sections do; the
  // server's acknowledgement repeats it. 0: a one-line event of ~100 bytes.
  std::size_t short_user_data_bytes = 0;
  std::string ciphers = "AES256-GCM-SHA384:AES128-SHA256:AES128-GCM-SHA256";
  // Called before short connection i starts (0-based), while the server and
  // the long connection go on: e.g. to restart the service between a session
  // and its resumption. The connections after it wait until it returns.
  std::function<void(unsigned)> before_short_connection;
  // When set, the clients append their secrets to this file as they make each
  // handshake, as a client run with SSLKEYLOGFILE does (a line at a time, flushed).
  std::filesystem::path client_key_log;
  // The server gives session tickets, and the resumed connections resume by
  // ticket; otherwise by session ID (no tickets).
  bool session_tickets = false;
};

struct SentMessage {
  std::uint16_t client_port = 0;
  bool to_server = true;
  std::string text;
};

struct TrafficResult {
  std::vector<SentMessage> messages;
  unsigned connections = 0;
  unsigned resumed = 0;   // connections the server reported as resumed
};

// Writes the server's key (PEM, 0600) and certificate into `key_directory`
// before any traffic flows (so a service can be started with the key).
Status write_server_credentials(const std::filesystem::path& key_directory);

// Runs server and clients until the duration is over; the server uses the key
// written by write_server_credentials.
Result<TrafficResult> run_traffic(const std::filesystem::path& key_directory, const TrafficOptions& options);

// Manifest lines: "client_port\tc2s|s2c\ttext".
Status write_manifest(const std::filesystem::path& path, const TrafficResult& result);

}  // namespace tlsring::testsvc
