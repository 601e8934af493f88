#include "core/output/session_json.h"

#include <cstdio>

#include "core/crypto/cipher_suite.h"
#include "core/output/transcript_format.h"

namespace tlsring::output {
namespace {

// Builds a flat JSON object field by field.
class JsonObject {
 public:
  void field(std::string_view name, std::string_view raw_value) {
    out_ += first_ ? "{" : ",";
    first_ = false;
    out_ += json_quote(name);
    out_ += ':';
    out_ += raw_value;
  }
  void string(std::string_view name, std::string_view value) { field(name, json_quote(value)); }
  void optional_string(std::string_view name, const std::optional<std::string>& value) {
    field(name, value ? json_quote(*value) : "null");
  }
  void number(std::string_view name, std::uint64_t value) { field(name, std::to_string(value)); }
  void boolean(std::string_view name, bool value) { field(name, value ? "true" : "false"); }
  std::string finish() { return first_ ? "{}" : out_ + "}"; }

 private:
  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string session_to_json(const decrypt::SessionReport& s, const SessionFiles& files) {
  JsonObject json;
  json.number("connection", s.connection_id);
  json.string("client", s.client.to_string());
  json.string("server", s.server.to_string());
  json.string("first_seen", format_utc_timestamp(s.first_seen_ns));
  json.string("last_seen", format_utc_timestamp(s.last_seen_ns));
  json.optional_string("version", s.version ? std::optional(crypto::version_name(*s.version)) : std::nullopt);
  json.optional_string("cipher",
                       s.cipher_suite ? std::optional(crypto::cipher_suite_name(*s.cipher_suite)) : std::nullopt);
  json.string("resumed", decrypt::to_string(s.resumed));
  json.boolean("extended_master_secret", s.extended_master_secret);
  json.boolean("encrypt_then_mac", s.encrypt_then_mac);
  json.optional_string("sni", s.sni);
  json.optional_string("certificate", s.certificate_subject);
  json.number("handshakes", static_cast<std::uint64_t>(s.handshakes));
  json.number("c2s_bytes", s.c2s_bytes);
  json.number("s2c_bytes", s.s2c_bytes);
  json.number("records", s.records);
  json.number("undecrypted_records", s.undecrypted_records);
  json.number("skipped_early_data_records", s.skipped_early_data_records);
  json.number("gaps", s.gaps);
  json.number("gap_bytes", s.gap_bytes);
  json.boolean("finished_verified", s.finished_verified);
  std::string alerts = "[";
  for (std::size_t i = 0; i < s.alerts.size(); ++i) alerts += (i ? "," : "") + json_quote(s.alerts[i]);
  json.field("alerts", alerts + "]");
  json.string("verdict", decrypt::to_string(s.verdict));
  json.string("reason", s.reason);
  json.string("fix", s.fix);
  if (files.transcript.empty()) {
    json.field("files", "null");
  } else {
    JsonObject f;
    f.string("transcript", files.transcript);
    f.string("c2s", files.c2s);
    f.string("s2c", files.s2c);
    json.field("files", f.finish());
  }
  return json.finish();
}

}  // namespace tlsring::output
