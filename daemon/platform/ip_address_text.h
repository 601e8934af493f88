// Parsing an IP address written as text (inet_pton), per OS.
//   Linux: <arpa/inet.h>.  Windows: <ws2tcpip.h> (no WSAStartup needed).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace tlsring::platform {

struct ParsedIpAddress {
  std::uint8_t version = 4;                // 4 or 6
  std::array<std::uint8_t, 16> bytes{};    // network order; IPv4 in the first 4
};

// Dotted-quad IPv4 or RFC 4291 IPv6 text, as inet_pton accepts it.
std::optional<ParsedIpAddress> parse_ip_address(const std::string& text);

}  // namespace tlsring::platform
