// The datagram socket systemd listens on for sd_notify messages
// ($NOTIFY_SOCKET: a path, or "@name" for the abstract namespace). Mechanism
// only: daemon/service/systemd_notify.h decides what to send and when.
//   Linux:   an AF_UNIX datagram socket.
//   Windows: none (no systemd: the Service Control Manager learns the state
//            from ServiceContext); open_notify_socket returns nullptr.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace tlsring::platform {

class NotifySocket {
 public:
  virtual ~NotifySocket() = default;
  // Sends one datagram; false when it was not sent whole.
  virtual bool send(std::string_view message) = 0;
};

// nullptr when `address` does not fit a socket address or no socket could be
// made (notification is then off, as outside systemd).
std::unique_ptr<NotifySocket> open_notify_socket(const std::string& address);

}  // namespace tlsring::platform
