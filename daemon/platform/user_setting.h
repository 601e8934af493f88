// `user:` of the configuration, per OS: on Linux a service started as root
// drops to that user (privileges.h); on Windows it has no use, since the
// service runs as the account the Service Control Manager starts it as.
// `tlsring check` prints the warning below, and the service logs it at start.
#pragma once

#include <optional>
#include <string>

#include "daemon/platform/operating_system.h"

namespace tlsring::platform {

// The warning for a `user:` that `os` does not use ("user: tlsring is not
// used on Windows: ..., set it with `sc.exe config tlsring obj= ...`");
// nullopt when `user` is not set or `os` uses it.
std::optional<std::string> unused_user_warning(const std::optional<std::string>& user, OperatingSystem os);

}  // namespace tlsring::platform
