// One line of a key-log file, parsed (internal to core/keys; KeyLog holds the
// results). Pure: no I/O, no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/keys/key_log.h"
#include "core/result.h"

namespace tlsring::keys::detail {

enum class KeyLogLabel {
  client_random,  // CLIENT_RANDOM <client_random> <master_secret>
  client_early_traffic_secret,
  client_handshake_traffic_secret,
  server_handshake_traffic_secret,
  client_traffic_secret_0,
  server_traffic_secret_0,
  exporter_secret,  // checked, not kept: nothing decrypts with it
  rsa_premaster,    // RSA <first 8 bytes of the encrypted premaster> <premaster>
  rsa_session_id,   // RSA Session-ID:<session_id> Master-Key:<master_secret> (Wireshark)
};

struct KeyLogEntry {
  KeyLogLabel label;
  std::vector<std::uint8_t> lookup;  // client random, encrypted-premaster prefix or session id
  Secret secret;
};

struct ParsedKeyLogLine {
  std::optional<KeyLogEntry> entry;  // empty: blank line, comment or unknown label
  bool unknown_label = false;        // a line this reader skips (PMS_CLIENT_RANDOM, newer labels)
};

// `line` without its '\n'; surrounding spaces, tabs and a '\r' are ignored.
// Error (without source or line number) when a known label has bad fields,
// e.g. "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex
// digits; found 64 and 94 hex digits".
Result<ParsedKeyLogLine> parse_key_log_line(std::string_view line);

}  // namespace tlsring::keys::detail
