// One sessions.jsonl line: a SessionReport as a JSON object. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/decrypt/session_report.h"

namespace tlsring::output {

struct SessionFiles {
  std::string transcript;  // paths relative to the output directory; empty when not written
  std::string c2s;
  std::string s2c;
};

// The JSON text (no trailing newline).
std::string session_to_json(const decrypt::SessionReport& session, const SessionFiles& files);

// `text` as a JSON string literal, quotes included (invalid UTF-8 bytes become \u00XX).
std::string json_quote(std::string_view text);

}  // namespace tlsring::output
