// A small, strict-enough JSON reader for one line of sessions.jsonl, so the
// CLI tests need no JSON library and no python. Tests only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tlsring::clitest {

struct JsonValue {
  enum class Kind { string, number, boolean, null, array, object };
  Kind kind = Kind::null;
  // string: the decoded text (escapes resolved, \u as UTF-8); number, true,
  // false, null: the literal as written; array and object: the raw JSON text.
  std::string text;
};

using FlatJson = std::map<std::string, JsonValue>;

// Reads one JSON object (surrounding whitespace allowed). Members of nested
// objects appear twice: as "parent" (kind object, raw text) and flattened as
// "parent.child". Array elements are checked but kept only as raw text.
// nullopt when the text is not exactly one well-formed object or a key
// repeats within an object.
std::optional<FlatJson> parse_flat_json_object(std::string_view text);

}  // namespace tlsring::clitest
