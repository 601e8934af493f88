// capture_wait.h on Linux: poll() over libpcap's selectable descriptors and an
// eventfd.
#include "daemon/platform/capture_wait.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

namespace tlsring::platform {

Result<Waitable> capture_waitable(pcap_t* handle) {
  const int fd = pcap_get_selectable_fd(handle);
  if (fd < 0) return make_error("it offers no descriptor to wait on");
  return fd;
}

Result<WakeEvent> WakeEvent::create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return make_error(std::string("cannot create an eventfd for the capture thread: ") + std::strerror(errno));
  return WakeEvent(fd);
}

void WakeEvent::close() {
  if (waitable_ >= 0) ::close(waitable_);
  waitable_ = kNoWaitable;
}

void WakeEvent::signal() {
  const std::uint64_t one = 1;
  // Can fail only if the counter would overflow, i.e. it is already readable.
  [[maybe_unused]] const ssize_t written = ::write(waitable_, &one, sizeof one);
}

void WakeEvent::clear() {
  std::uint64_t value = 0;
  // EAGAIN (nothing pending) is the expected outcome as often as not.
  [[maybe_unused]] const ssize_t read_bytes = ::read(waitable_, &value, sizeof value);
}

struct CaptureWait::System {
  std::vector<pollfd> fds;  // the sources, then the wake event
};

CaptureWait::CaptureWait(std::vector<Waitable> sources, Waitable wake)
    : system_(new System, &destroy), ready_(sources.size(), 0) {
  for (Waitable fd : sources) system_->fds.push_back(pollfd{fd, POLLIN, 0});
  system_->fds.push_back(pollfd{wake, POLLIN, 0});
}

void CaptureWait::destroy(System* system) { delete system; }

Status CaptureWait::wait_system(std::chrono::milliseconds timeout) {
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX);
  std::vector<pollfd>& fds = system_->fds;
  const int count = ::poll(fds.data(), fds.size(), static_cast<int>(ms));
  if (count < 0) {
    if (errno == EINTR) return {};
    return make_error(std::string("capture: poll failed: ") + std::strerror(errno));
  }
  for (std::size_t i = 0; i < ready_.size(); ++i) ready_[i] = fds[i].revents != 0 ? 1 : 0;
  woken_ = fds.back().revents != 0;
  return {};
}

}  // namespace tlsring::platform
