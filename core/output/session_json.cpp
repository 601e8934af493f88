#include "core/output/session_json.h"

#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/crypto/cipher_suite.h"
#include "core/output/transcript_format.h"

namespace tlsring::output {
namespace {

bool needs_escape(unsigned char c) { return c == '"' || c == '\\' || c < 0x20 || c >= 0x7f; }

// `text` as a JSON string literal at the end of `out`: runs of plain
// characters are copied whole.
void append_json_quoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!needs_escape(c)) continue;
    out.append(text, plain_from, i - plain_from);
    plain_from = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        out += escaped;
      }
    }
  }
  out.append(text, plain_from, text.size() - plain_from);
  out += '"';
}

// Builds a flat JSON object field by field, in one string.
class JsonObject {
 public:
  JsonObject() { out_.reserve(1024); }  // a session's line, mostly
  void field(std::string_view name, std::string_view raw_value) {
    name_field(name);
    out_ += raw_value;
  }
  void string(std::string_view name, std::string_view value) {
    name_field(name);
    append_json_quoted(out_, value);
  }
  void optional_string(std::string_view name, const std::optional<std::string>& value) {
    if (value) {
      string(name, *value);
    } else {
      field(name, "null");
    }
  }
  void number(std::string_view name, std::uint64_t value) {
    name_field(name);
    char digits[24];
    out_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  }
  void boolean(std::string_view name, bool value) { field(name, value ? "true" : "false"); }
  // A field whose value is an array of strings.
  void strings(std::string_view name, const std::vector<std::string>& values) {
    name_field(name);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out_ += ',';
      append_json_quoted(out_, values[i]);
    }
    out_ += ']';
  }
  std::string finish() {
    if (first_) return "{}";
    out_ += '}';
    return std::move(out_);
  }

 private:
  void name_field(std::string_view name) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    append_json_quoted(out_, name);
    out_ += ':';
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out;
  append_json_quoted(out, text);
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
  json.optional_string("keys_from", s.keys_from);
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
  json.strings("alerts", s.alerts);
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
