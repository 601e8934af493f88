#include "daemon/service/systemd_notify.h"

#include <cstdlib>

#include "daemon/platform/process.h"

namespace tlsring::daemon {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || (socket[0] != '/' && socket[0] != '@')) return;
  socket_ = platform::open_notify_socket(socket);
  if (socket_ == nullptr) return;
  // The watchdog applies to this process only when WATCHDOG_PID is unset or ours.
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  if (usec != nullptr && (pid == nullptr || std::strtoll(pid, nullptr, 10) == platform::current_process_id())) {
    const long long micros = std::strtoll(usec, nullptr, 10);
    if (micros > 0) watchdog_interval_ = std::chrono::milliseconds(micros / 2000);
  }
}

SystemdNotifier::~SystemdNotifier() = default;

void SystemdNotifier::status(std::string_view text) {
  std::string message = "STATUS=";
  for (char c : text) message += (c == '\n' ? ' ' : c);
  send(message);
}

bool SystemdNotifier::send(std::string_view message) { return socket_ != nullptr && socket_->send(message); }

}  // namespace tlsring::daemon
