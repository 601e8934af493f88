#include "config/server_address.h"

// inet_pton: <arpa/inet.h> on POSIX; ws2_32's on Windows, which needs no
// WSAStartup and is documented to take IPv4 in dotted-decimal notation only,
// never a host name (not tried on Windows here: no Windows machine).
#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <array>
#include <string>

namespace tlsring::config {
namespace {

constexpr std::string_view kAllowed =
    "allowed: IPv4 as A.B.C.D:PORT (e.g. 10.0.0.5:3000) or IPv6 in brackets and quotes "
    "(e.g. \"[2001:db8::5]:3000\"), port 1-65535";

Error fail(std::string_view text, std::string_view what) {
  return make_error("'" + std::string(text) + "' " + std::string(what) + "; " + std::string(kAllowed));
}

}  // namespace

Status check_server_address(std::string_view text) {
  std::string host;
  std::string_view port;
  int family = AF_INET;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return fail(text, "has no closing ']'");
    if (close + 1 >= text.size() || text[close + 1] != ':') return fail(text, "has no port");
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    family = AF_INET6;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(text, "has no port");
    if (text.find(':') != colon) return fail(text, "looks like IPv6 without brackets");
    host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  // inet_pton is strict: no host names, no short IPv4 forms such as "10.5".
  std::array<unsigned char, 16> address{};
  if (inet_pton(family, host.c_str(), address.data()) != 1) {
    return fail(text, family == AF_INET6 ? "does not hold an IPv6 address" : "does not start with an IPv4 address");
  }
  if (port.empty()) return fail(text, "has no port");
  unsigned long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return fail(text, "has a port that is not a number");
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 65535) break;
  }
  if (value == 0 || value > 65535) return fail(text, "has a port outside 1-65535");
  return {};
}

}  // namespace tlsring::config
