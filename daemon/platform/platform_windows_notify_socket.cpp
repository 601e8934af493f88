// notify_socket.h on Windows: there is no systemd; the Service Control
// Manager learns the service's state through ServiceContext.
#include "daemon/platform/notify_socket.h"

namespace tlsring::platform {

std::unique_ptr<NotifySocket> open_notify_socket(const std::string&) { return nullptr; }

}  // namespace tlsring::platform
