// Text forms of addresses: dotted quad for IPv4, RFC 5952 for IPv6 (lower-case
// hex, no leading zeros, the longest run of two or more zero groups as "::",
// the first such run on a tie, IPv4-mapped addresses as ::ffff:a.b.c.d).
#include <array>
#include <cstdio>

#include "core/net/packet_decoder.h"

namespace tlsring::net {
namespace {

std::string ipv4_text(const std::uint8_t* b) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", unsigned{b[0]}, unsigned{b[1]}, unsigned{b[2]}, unsigned{b[3]});
  return text;
}

bool is_ipv4_mapped(const std::array<std::uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

std::string ipv6_text(const std::array<std::uint8_t, 16>& b) {
  if (is_ipv4_mapped(b)) return "::ffff:" + ipv4_text(b.data() + 12);
  std::array<unsigned, 8> groups{};
  for (int i = 0; i < 8; ++i) groups[i] = (unsigned{b[2 * i]} << 8) | b[2 * i + 1];

  // The longest run of zero groups, first on a tie; a single zero is not shortened (RFC 5952 4.2.2).
  int best_start = -1;
  int best_length = 1;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }

  std::string text;
  char group[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ':';
    std::snprintf(group, sizeof group, "%x", groups[i]);
    text += group;
  }
  return text;
}

}  // namespace

std::string IpAddress::to_string() const {
  if (version == 4) return ipv4_text(bytes.data());
  if (version == 6) return ipv6_text(bytes);
  return "invalid-ip-version-" + std::to_string(version);
}

std::string Endpoint::to_string() const {
  const std::string port_text = std::to_string(port);
  if (ip.version == 6) return "[" + ip.to_string() + "]:" + port_text;
  return ip.to_string() + ":" + port_text;
}

}  // namespace tlsring::net
