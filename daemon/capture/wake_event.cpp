#include "daemon/capture/wake_event.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace tlsring::daemon {

Result<WakeEvent> WakeEvent::create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return make_error(std::string("cannot create an eventfd for the capture thread: ") + std::strerror(errno));
  return WakeEvent(fd);
}

WakeEvent::WakeEvent(WakeEvent&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

WakeEvent& WakeEvent::operator=(WakeEvent&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

WakeEvent::~WakeEvent() {
  if (fd_ >= 0) ::close(fd_);
}

void WakeEvent::signal() {
  const std::uint64_t one = 1;
  // Can fail only if the counter would overflow, i.e. it is already readable.
  [[maybe_unused]] const ssize_t written = ::write(fd_, &one, sizeof one);
}

void WakeEvent::clear() {
  std::uint64_t value = 0;
  // EAGAIN (nothing pending) is the expected outcome as often as not.
  [[maybe_unused]] const ssize_t read_bytes = ::read(fd_, &value, sizeof value);
}

}  // namespace tlsring::daemon
