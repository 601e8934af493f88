// Turns a failed OpenSSL call into a tlsring::Error: the message names what we
// tried, followed by OpenSSL's first queued reason. The thread's error queue is
// drained, so an old failure never leaks into a later message.
#pragma once

#include <string_view>

#include "core/result.h"

namespace tlsring::crypto {

Error openssl_error(std::string_view what);

}  // namespace tlsring::crypto
