// Names of TLS alerts (RFC 8446 §6, RFC 5246 §7.2) for reports.
#pragma once

#include <cstdint>
#include <string>

namespace tlsring::decrypt {

// "fatal handshake_failure", "warning close_notify", "alert 2/199" for unknown ones.
std::string describe_alert(std::uint8_t level, std::uint8_t description);

}  // namespace tlsring::decrypt
