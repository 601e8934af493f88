#include "tests/cli/flat_json.h"

#include <cstdint>

namespace tlsring::clitest {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<FlatJson> parse_document() {
    FlatJson out;
    skip_space();
    if (!parse_object("", out)) return std::nullopt;
    skip_space();
    if (pos_ != text_.size()) return std::nullopt;
    return out;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // `prefix` is "" for the top level, "files." for members of "files".
  bool parse_object(const std::string& prefix, FlatJson& out) {
    if (!consume('{')) return false;
    skip_space();
    if (consume('}')) return true;
    while (true) {
      skip_space();
      std::string key;
      if (!parse_string(key)) return false;
      skip_space();
      if (!consume(':')) return false;
      skip_space();
      const std::string name = prefix + key;
      if (out.count(name) != 0) return false;
      const std::size_t start = pos_;
      JsonValue value;
      if (peek() == '{') {
        value.kind = JsonValue::Kind::object;
        if (!parse_object(name + ".", out)) return false;
        value.text = std::string(text_.substr(start, pos_ - start));
      } else if (!parse_scalar_or_array(value)) {
        return false;
      }
      out[name] = std::move(value);
      skip_space();
      if (consume('}')) return true;
      if (!consume(',')) return false;
    }
  }

  bool parse_scalar_or_array(JsonValue& value) {
    const std::size_t start = pos_;
    const char c = peek();
    if (c == '"') {
      value.kind = JsonValue::Kind::string;
      return parse_string(value.text);
    }
    if (c == '[') {
      value.kind = JsonValue::Kind::array;
      if (!skip_array()) return false;
      value.text = std::string(text_.substr(start, pos_ - start));
      return true;
    }
    for (const auto& [literal, kind] : {std::pair<std::string_view, JsonValue::Kind>{"true", JsonValue::Kind::boolean},
                                        {"false", JsonValue::Kind::boolean},
                                        {"null", JsonValue::Kind::null}}) {
      if (text_.substr(pos_, literal.size()) == literal) {
        pos_ += literal.size();
        value.kind = kind;
        value.text = std::string(literal);
        return true;
      }
    }
    value.kind = JsonValue::Kind::number;
    if (!parse_number()) return false;
    value.text = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool parse_number() {
    consume('-');
    if (consume('0')) {
    } else if (!digits()) {
      return false;
    }
    if (consume('.') && !digits()) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (!consume('+')) consume('-');
      if (!digits()) return false;
    }
    return true;
  }
  bool digits() {
    const std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool skip_array() {
    if (!consume('[')) return false;
    skip_space();
    if (consume(']')) return true;
    while (true) {
      skip_space();
      if (peek() == '{') {
        FlatJson ignored;
        if (!parse_object("", ignored)) return false;
      } else {
        JsonValue ignored;
        if (!parse_scalar_or_array(ignored)) return false;
      }
      skip_space();
      if (consume(']')) return true;
      if (!consume(',')) return false;
    }
  }

  bool parse_string(std::string& out) {
    if (!consume('"')) return false;
    out.clear();
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;  // control characters must be escaped
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
            std::uint32_t low = 0;
            if (!consume('\\') || !consume('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          append_utf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool hex4(std::uint32_t& value) {
    if (pos_ + 4 > text_.size()) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }

  static void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<FlatJson> parse_flat_json_object(std::string_view text) { return Parser(text).parse_document(); }

}  // namespace tlsring::clitest
