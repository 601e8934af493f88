// ip_address_text.h: inet_pton is the same call on both systems; only its
// header differs (Windows: ws2_32, which needs no WSAStartup for it).
#include "daemon/platform/ip_address_text.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

namespace tlsring::platform {

std::optional<ParsedIpAddress> parse_ip_address(const std::string& text) {
  ParsedIpAddress address;
  if (inet_pton(AF_INET, text.c_str(), address.bytes.data()) == 1) {
    address.version = 4;
  } else if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) == 1) {
    address.version = 6;
  } else {
    return std::nullopt;
  }
  return address;
}

}  // namespace tlsring::platform
