// ClientHello and ServerHello share the hello prefix and the extensions block,
// so both live here with the one walker over that block.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

namespace {

constexpr std::uint16_t kExtServerName = 0;
constexpr std::uint16_t kExtEncryptThenMac = 22;
constexpr std::uint16_t kExtExtendedMasterSecret = 23;
constexpr std::uint16_t kExtSessionTicket = 35;
constexpr std::uint16_t kExtPreSharedKey = 41;
constexpr std::uint16_t kExtEarlyData = 42;
constexpr std::uint16_t kExtSupportedVersions = 43;
constexpr std::uint16_t kExtRenegotiationInfo = 0xff01;

constexpr std::uint16_t kRenegotiationScsv = 0x00ff;  // RFC 5746 §3.3
constexpr std::uint8_t kNameTypeHostName = 0;         // RFC 6066 §3
constexpr std::size_t kMaxSessionId = 32;

// RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest.
constexpr std::array<std::uint8_t, 32> kHelloRetryRequestRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

Error fail(const char* message, const std::string& what) {
  return make_error(std::string(message) + ": " + what);
}

// Reads the extensions block that ends a hello: a 2-byte length, then
// (type, 2-byte length, data) entries filling it exactly, then nothing more.
// `on_extension(type, data)` returns an empty string or what is wrong.
template <class OnExtension>
Status walk_extensions(ByteReader& reader, const char* message, OnExtension&& on_extension) {
  auto block = reader.length_prefixed(2);
  if (!block) return fail(message, "extensions block overruns the message");
  if (!reader.empty()) return fail(message, "trailing bytes after the extensions block");
  ByteReader entries(*block);
  // RFC 5246 §7.4.1.4 / RFC 8446 §4.2: at most one extension of each type.
  std::vector<std::uint16_t> seen;
  while (!entries.empty()) {
    auto type = entries.u16be();
    auto data = type ? entries.length_prefixed(2) : std::nullopt;
    if (!data) return fail(message, "extension overruns the extensions block");
    if (std::find(seen.begin(), seen.end(), *type) != seen.end()) {
      return fail(message, "duplicate extension " + std::to_string(*type));
    }
    seen.push_back(*type);
    std::string problem = on_extension(*type, *data);
    if (!problem.empty()) return fail(message, problem);
  }
  return {};
}

// Reads the 32-byte random that follows the version in every hello.
bool read_random(ByteReader& reader, std::uint8_t (&random)[32]) {
  auto bytes = reader.bytes(32);
  if (!bytes) return false;
  std::copy(bytes->begin(), bytes->end(), random);
  return true;
}

std::string parse_server_name(ByteView data, std::optional<std::string>& server_name) {
  ByteReader reader(data);
  auto list = reader.length_prefixed(2);
  if (!list || !reader.empty() || list->empty()) return "server_name extension is malformed";
  ByteReader names(*list);
  while (!names.empty()) {
    auto name_type = names.u8();
    // Every name type defined so far carries a 2-byte-length name; RFC 6066
    // leaves no other way to skip an entry.
    auto name = name_type ? names.length_prefixed(2) : std::nullopt;
    if (!name) return "server_name entry overruns the extension";
    if (*name_type != kNameTypeHostName) continue;
    if (name->empty()) return "server_name host_name is empty";
    if (server_name) return "server_name has two host_name entries";
    server_name = std::string(name->begin(), name->end());
  }
  return {};
}

std::string parse_client_supported_versions(ByteView data, std::vector<std::uint16_t>& versions) {
  ByteReader reader(data);
  auto list = reader.length_prefixed(1);
  if (!list || !reader.empty() || list->empty() || list->size() % 2 != 0) {
    return "supported_versions extension is malformed";
  }
  ByteReader entries(*list);
  while (auto version = entries.u16be()) versions.push_back(*version);
  return {};
}

std::string parse_renegotiation_info(ByteView data) {
  ByteReader reader(data);
  if (!reader.length_prefixed(1) || !reader.empty()) return "renegotiation_info extension is malformed";
  return {};
}

std::string expect_empty(ByteView data, const char* name) {
  if (data.empty()) return {};
  return std::string(name) + " extension is not empty";
}

std::string expect_u16(ByteView data, const char* name, std::optional<std::uint16_t>* value = nullptr) {
  ByteReader reader(data);
  auto field = reader.u16be();
  if (!field || !reader.empty()) return std::string(name) + " extension is not 2 bytes";
  if (value) *value = *field;
  return {};
}

// TLS 1.3 drafts before 22 put their version (0x7fXX) in ServerHello.version
// and used a shorter ServerHello without session_id and compression_method.
bool is_pre22_draft(std::uint16_t version) {
  return (version & 0xff00) == 0x7f00 && (version & 0x00ff) < 22;
}

}  // namespace

Result<ClientHello> parse_client_hello(ByteView body) {
  constexpr const char* kMsg = "ClientHello";
  ClientHello hello;
  ByteReader reader(body);
  auto version = reader.u16be();
  if (!version) return fail(kMsg, "truncated before client_version");
  hello.legacy_version = *version;
  if (!read_random(reader, hello.random)) return fail(kMsg, "truncated inside random");
  auto session_id = reader.length_prefixed(1);
  if (!session_id) return fail(kMsg, "session_id overruns the message");
  if (session_id->size() > kMaxSessionId) return fail(kMsg, "session_id longer than 32 bytes");
  hello.session_id = *session_id;

  auto suites = reader.length_prefixed(2);
  if (!suites) return fail(kMsg, "cipher_suites overruns the message");
  if (suites->size() % 2 != 0) return fail(kMsg, "cipher_suites length is odd");
  ByteReader suite_reader(*suites);
  while (auto suite = suite_reader.u16be()) {
    hello.cipher_suites.push_back(*suite);
    if (*suite == kRenegotiationScsv) hello.renegotiation_info = true;
  }

  auto compression = reader.length_prefixed(1);
  if (!compression) return fail(kMsg, "compression_methods overruns the message");

  // RFC 5246 §7.4.1.2: a ClientHello may end here, without an extensions block.
  if (reader.empty()) return hello;

  Status extensions = walk_extensions(reader, kMsg, [&](std::uint16_t type, ByteView data) -> std::string {
    switch (type) {
      case kExtServerName:
        return parse_server_name(data, hello.server_name);
      case kExtExtendedMasterSecret:
        hello.extended_master_secret = true;
        return expect_empty(data, "extended_master_secret");
      case kExtEncryptThenMac:
        hello.encrypt_then_mac = true;
        return expect_empty(data, "encrypt_then_mac");
      case kExtSessionTicket:
        hello.session_ticket_present = true;
        hello.session_ticket = data;
        return {};
      case kExtSupportedVersions:
        return parse_client_supported_versions(data, hello.supported_versions);
      case kExtPreSharedKey:
        hello.pre_shared_key = true;
        return data.empty() ? "pre_shared_key extension is empty" : std::string();
      case kExtEarlyData:
        hello.early_data = true;
        return expect_empty(data, "early_data");
      case kExtRenegotiationInfo:
        hello.renegotiation_info = true;
        return parse_renegotiation_info(data);
      default:
        return {};
    }
  });
  if (!extensions) return extensions.error();
  return hello;
}

Result<ServerHello> parse_server_hello(ByteView body) {
  constexpr const char* kMsg = "ServerHello";
  ServerHello hello;
  ByteReader reader(body);
  auto version = reader.u16be();
  if (!version) return fail(kMsg, "truncated before server_version");
  hello.legacy_version = *version;
  if (!read_random(reader, hello.random)) return fail(kMsg, "truncated inside random");
  hello.is_hello_retry_request =
      std::equal(kHelloRetryRequestRandom.begin(), kHelloRetryRequestRandom.end(), hello.random);

  const bool draft_short_form = is_pre22_draft(*version);
  if (draft_short_form) {
    hello.selected_version = *version;
  } else {
    auto session_id = reader.length_prefixed(1);
    if (!session_id) return fail(kMsg, "session_id overruns the message");
    if (session_id->size() > kMaxSessionId) return fail(kMsg, "session_id longer than 32 bytes");
    hello.session_id = *session_id;
  }
  auto suite = reader.u16be();
  if (!suite) return fail(kMsg, "truncated before cipher_suite");
  hello.cipher_suite = *suite;
  if (!draft_short_form) {
    auto compression = reader.u8();
    if (!compression) return fail(kMsg, "truncated before compression_method");
    hello.compression = *compression;
    // Pre-extension servers (SSL 3.0, early TLS) end the message here.
    if (reader.empty()) return hello;
  }
  // The draft form always has an extensions block (at least key_share).

  Status extensions = walk_extensions(reader, kMsg, [&](std::uint16_t type, ByteView data) -> std::string {
    switch (type) {
      case kExtExtendedMasterSecret:
        hello.extended_master_secret = true;
        return expect_empty(data, "extended_master_secret");
      case kExtEncryptThenMac:
        hello.encrypt_then_mac = true;
        return expect_empty(data, "encrypt_then_mac");
      case kExtSessionTicket:
        hello.session_ticket_ack = true;
        return expect_empty(data, "session_ticket");
      case kExtSupportedVersions:
        if (draft_short_form) return "supported_versions in a pre-draft-22 ServerHello";
        return expect_u16(data, "supported_versions", &hello.selected_version);
      case kExtPreSharedKey:
        hello.pre_shared_key = true;
        return expect_u16(data, "pre_shared_key");
      default:
        return {};
    }
  });
  if (!extensions) return extensions.error();
  return hello;
}

}  // namespace tlsring::tls
