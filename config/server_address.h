// The `server:` of a key entry: "A.B.C.D:PORT" (IPv4) or "[IPV6]:PORT", port
// 1-65535. Host names are refused: the key is matched to packets by address.
// Only validates; the text is kept as written (the daemon turns it into an
// endpoint with the same rules as `tlsring decrypt --key`).
#pragma once

#include <string_view>

#include "core/result.h"

namespace tlsring::config {

// The error says what is wrong, then "; allowed: ...".
Status check_server_address(std::string_view text);

}  // namespace tlsring::config
