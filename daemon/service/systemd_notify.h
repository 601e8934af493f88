// SystemdNotifier: the sd_notify protocol, spoken directly over the datagram
// socket systemd names in $NOTIFY_SOCKET (a path, or "@name" for the abstract
// namespace), so no libsystemd is needed. Outside systemd, and on Windows
// (daemon/platform/notify_socket.h has no socket there), every call is a no-op.
//   ready()             READY=1 once capture runs
//   status(text)        STATUS=... shown by systemctl status
//   watchdog()          WATCHDOG=1; call at least every watchdog_interval()
//   stopping()          STOPPING=1
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/platform/notify_socket.h"

namespace tlsring::daemon {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
  SystemdNotifier();
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return socket_ != nullptr; }
  // Half the watchdog timeout systemd set, when it set one for this process.
  std::optional<std::chrono::milliseconds> watchdog_interval() const { return watchdog_interval_; }

  void ready() { send("READY=1"); }
  void stopping() { send("STOPPING=1"); }
  void watchdog() { send("WATCHDOG=1"); }
  void status(std::string_view text);
  bool send(std::string_view message);

 private:
  std::unique_ptr<platform::NotifySocket> socket_;
  std::optional<std::chrono::milliseconds> watchdog_interval_;
};

}  // namespace tlsring::daemon
