#include "core/keys/key_log_line.h"

#include <array>
#include <string>

#include "core/keys/hex.h"

namespace tlsring::keys::detail {

namespace {

struct FieldRule {
  std::string_view name;    // "<master_secret>"
  std::string_view digits;  // how many hex digits, for messages: "96", "64 or 96"
  std::size_t min_bytes;
  std::size_t max_bytes;
  bool only_ends = false;  // min or max, nothing between (TLS 1.3 secrets: SHA-256 or SHA-384 size)

  bool fits(std::size_t bytes) const {
    if (only_ends) return bytes == min_bytes || bytes == max_bytes;
    return bytes >= min_bytes && bytes <= max_bytes;
  }
};

struct LabelRule {
  std::string_view label;
  KeyLogLabel kind;
  std::string_view form;  // the fields as the message shows them
  FieldRule lookup;
  FieldRule secret;
};

constexpr FieldRule kClientRandom{"<client_random>", "64", 32, 32};
constexpr FieldRule kMasterSecret{"<master_secret>", "96", 48, 48};
constexpr FieldRule kTrafficSecret{"<secret>", "64 or 96", 32, 48, true};

constexpr std::array kLabels{
    LabelRule{"CLIENT_RANDOM", KeyLogLabel::client_random, "<client_random> <master_secret>", kClientRandom,
              kMasterSecret},
    LabelRule{"CLIENT_EARLY_TRAFFIC_SECRET", KeyLogLabel::client_early_traffic_secret, "<client_random> <secret>",
              kClientRandom, kTrafficSecret},
    LabelRule{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", KeyLogLabel::client_handshake_traffic_secret,
              "<client_random> <secret>", kClientRandom, kTrafficSecret},
    LabelRule{"SERVER_HANDSHAKE_TRAFFIC_SECRET", KeyLogLabel::server_handshake_traffic_secret,
              "<client_random> <secret>", kClientRandom, kTrafficSecret},
    LabelRule{"CLIENT_TRAFFIC_SECRET_0", KeyLogLabel::client_traffic_secret_0, "<client_random> <secret>",
              kClientRandom, kTrafficSecret},
    LabelRule{"SERVER_TRAFFIC_SECRET_0", KeyLogLabel::server_traffic_secret_0, "<client_random> <secret>",
              kClientRandom, kTrafficSecret},
    LabelRule{"EXPORTER_SECRET", KeyLogLabel::exporter_secret, "<client_random> <secret>", kClientRandom,
              kTrafficSecret},
    LabelRule{"RSA", KeyLogLabel::rsa_premaster, "<encrypted_premaster_prefix> <premaster_secret>",
              FieldRule{"<encrypted_premaster_prefix>", "16", 8, 8},
              FieldRule{"<premaster_secret>", "96", 48, 48}},
};

// Wireshark's export: "RSA Session-ID:<hex> Master-Key:<hex>". A session id is 1 to 32 bytes.
constexpr LabelRule kSessionIdRule{"RSA Session-ID:", KeyLogLabel::rsa_session_id,
                                   "Session-ID:<session_id> Master-Key:<master_secret>",
                                   FieldRule{"<session_id>", "2 to 64", 1, 32}, kMasterSecret};
constexpr std::string_view kSessionIdPrefix = "Session-ID:";
constexpr std::string_view kMasterKeyPrefix = "Master-Key:";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

Error field_error(const LabelRule& rule, const std::string& found) {
  return make_error(std::string(rule.label) + " needs " + std::string(rule.form) + " as " +
                    std::string(rule.lookup.digits) + " and " + std::string(rule.secret.digits) +
                    " hex digits; found " + found);
}

std::string count_text(std::size_t count) { return std::to_string(count) + (count == 1 ? " field" : " fields"); }

// Checks the two hex fields against the rule and decodes them.
Result<ParsedKeyLogLine> decode_fields(const LabelRule& rule, std::string_view lookup_hex, std::string_view secret_hex) {
  for (const auto& [hex, field] : {std::pair{lookup_hex, rule.lookup}, std::pair{secret_hex, rule.secret}}) {
    if (const std::size_t bad = find_non_hex(hex); bad != std::string_view::npos) {
      return field_error(rule, "'" + std::string(1, hex[bad]) + "' in " + std::string(field.name) +
                                   ", which is not a hex digit");
    }
  }
  const bool lengths_fit = lookup_hex.size() % 2 == 0 && secret_hex.size() % 2 == 0 &&
                           rule.lookup.fits(lookup_hex.size() / 2) && rule.secret.fits(secret_hex.size() / 2);
  if (!lengths_fit) {
    return field_error(rule, std::to_string(lookup_hex.size()) + " and " + std::to_string(secret_hex.size()) +
                                 " hex digits");
  }
  ParsedKeyLogLine parsed;
  parsed.entry = KeyLogEntry{rule.kind, *decode_hex(lookup_hex), *decode_hex(secret_hex)};
  return parsed;
}

Result<ParsedKeyLogLine> parse_session_id_line(const std::vector<std::string_view>& fields) {
  // fields[0] is "RSA", fields[1] starts with "Session-ID:".
  if (fields.size() != 3) return field_error(kSessionIdRule, count_text(fields.size() - 1) + " after RSA");
  if (fields[2].substr(0, kMasterKeyPrefix.size()) != kMasterKeyPrefix) {
    return field_error(kSessionIdRule, "'" + std::string(fields[2].substr(0, 16)) + "' where Master-Key: belongs");
  }
  return decode_fields(kSessionIdRule, fields[1].substr(kSessionIdPrefix.size()),
                       fields[2].substr(kMasterKeyPrefix.size()));
}

}  // namespace

Result<ParsedKeyLogLine> parse_key_log_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return ParsedKeyLogLine{};
  const std::vector<std::string_view> fields = split_fields(line);
  if (fields.size() >= 2 && fields[0] == "RSA" && fields[1].substr(0, kSessionIdPrefix.size()) == kSessionIdPrefix) {
    return parse_session_id_line(fields);
  }
  for (const LabelRule& rule : kLabels) {
    if (fields[0] != rule.label) continue;
    if (fields.size() != 3) return field_error(rule, count_text(fields.size() - 1));
    return decode_fields(rule, fields[1], fields[2]);
  }
  ParsedKeyLogLine unknown;
  unknown.unknown_label = true;
  return unknown;
}

}  // namespace tlsring::keys::detail
