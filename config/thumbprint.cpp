#include "config/thumbprint.h"

#include <cstdio>
#include <optional>

namespace tlsring::config {
namespace {

constexpr const char* kWhereToCopy =
    "copy the Thumbprint field of the certificate (certlm.msc > Personal > Certificates > "
    "the certificate > Details) or the Thumbprint column of `Get-ChildItem Cert:\\LocalMachine\\My` "
    "(PowerShell)";

struct CodePoint {
  std::uint32_t value = 0;
  std::size_t length = 0;  // bytes; 0 = not valid UTF-8
};

// One UTF-8 sequence at the start of `text` (non-empty). Overlong forms and
// surrogates are invalid: they can only come from a broken copy.
CodePoint decode_utf8(std::string_view text) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::uint8_t lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  std::uint32_t value = 0;
  std::uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return {};
  }
  if (text.size() < length) return {};
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return {};
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

// Characters a copy from a dialog, a web page or a document brings along.
bool is_ignorable(std::uint32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':' || c == 0x00A0 || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || c == 0xFEFF;
}

std::optional<std::uint8_t> hex_value(std::uint32_t c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

std::string describe(std::uint32_t c) {
  char buffer[32];
  if (c > 0x20 && c < 0x7F) {
    std::snprintf(buffer, sizeof buffer, "'%c'", static_cast<char>(c));
  } else {
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  }
  return buffer;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Result<Thumbprint> parse_thumbprint(std::string_view text) {
  std::string digits;
  std::size_t character = 0;  // 1-based position in characters, as a person counts
  for (std::size_t i = 0; i < text.size();) {
    ++character;
    const CodePoint c = decode_utf8(text.substr(i));
    if (c.length == 0) {
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<std::uint8_t>(text[i])));
      return make_error("thumbprint: byte " + std::string(byte) + " at character " + std::to_string(character) +
                        " is not valid UTF-8: " + kWhereToCopy);
    }
    i += c.length;
    if (is_ignorable(c.value)) continue;
    if (!hex_value(c.value)) {
      return make_error("thumbprint: " + describe(c.value) + " at character " + std::to_string(character) +
                        " is not a hexadecimal digit: " + kWhereToCopy);
    }
    digits.push_back(static_cast<char>(c.value));
  }
  if (digits.empty()) return make_error(std::string("thumbprint: it is empty: ") + kWhereToCopy);
  constexpr std::size_t kDigits = 2 * std::tuple_size_v<Thumbprint>;
  if (digits.size() != kDigits) {
    std::string message = "thumbprint: it has " + std::to_string(digits.size()) +
                          " hexadecimal digits, a certificate's SHA-1 thumbprint has 40";
    if (digits.size() == 64) message += " (64 digits is a SHA-256 hash, not the Thumbprint field)";
    return make_error(message + ": " + kWhereToCopy);
  }
  Thumbprint thumbprint{};
  for (std::size_t i = 0; i < thumbprint.size(); ++i) {
    thumbprint[i] = static_cast<std::uint8_t>(*hex_value(static_cast<unsigned char>(digits[2 * i])) << 4 |
                                              *hex_value(static_cast<unsigned char>(digits[2 * i + 1])));
  }
  return thumbprint;
}

std::string format_thumbprint(const Thumbprint& thumbprint) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (std::uint8_t byte : thumbprint) {
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 0x0F]);
  }
  return text;
}

Result<CertificateStoreName> parse_certificate_store_name(std::string_view text) {
  const std::string quoted = "certificate store '" + std::string(text) + "'";
  std::string_view rest = text;
  if (rest.size() >= 5 && equals_ignoring_case(rest.substr(0, 5), "cert:")) rest.remove_prefix(5);
  while (!rest.empty() && (rest.front() == '\\' || rest.front() == '/')) rest.remove_prefix(1);

  CertificateStoreName name;
  const std::size_t separator = rest.find_first_of("\\/");
  if (separator != std::string_view::npos) {
    const std::string_view location = rest.substr(0, separator);
    if (equals_ignoring_case(location, "LocalMachine")) {
      name.location = CertificateStoreName::Location::local_machine;
    } else if (equals_ignoring_case(location, "CurrentUser")) {
      name.location = CertificateStoreName::Location::current_user;
    } else {
      return make_error(quoted + ": the location '" + std::string(location) +
                        "' is neither LocalMachine nor CurrentUser (write e.g. LocalMachine\\My)");
    }
    rest.remove_prefix(separator + 1);
  }
  if (rest.empty()) return make_error(quoted + ": no store name (write e.g. LocalMachine\\My)");
  for (char c : rest) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
                         c == '_' || c == '-' || c == '.';
    if (!allowed) {
      return make_error(quoted + ": '" + std::string(rest) +
                        "' is not a store name (letters, digits, space, '_', '-', '.'; write e.g. LocalMachine\\My)");
    }
  }
  name.store = std::string(rest);
  return name;
}

std::string format_certificate_store_name(const CertificateStoreName& name) {
  return std::string(name.location == CertificateStoreName::Location::local_machine ? "LocalMachine" : "CurrentUser") +
         "\\" + name.store;
}

}  // namespace tlsring::config
