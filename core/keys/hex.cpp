#include "core/keys/hex.h"

namespace tlsring::keys::detail {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::size_t find_non_hex(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (hex_value(text[i]) < 0) return i;
  }
  return std::string_view::npos;
}

std::optional<std::vector<std::uint8_t>> decode_hex(std::string_view text) {
  if (text.size() % 2 != 0 || find_non_hex(text) != std::string_view::npos) return std::nullopt;
  std::vector<std::uint8_t> bytes(text.size() / 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(hex_value(text[2 * i]) * 16 + hex_value(text[2 * i + 1]));
  }
  return bytes;
}

std::string encode_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const std::uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0x0f]);
  }
  return text;
}

}  // namespace tlsring::keys::detail
