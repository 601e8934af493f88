// A descriptor one thread can poll() and another can make readable: an
// eventfd, closed on destruction. The capture thread waits on it next to the
// pcap descriptors so that stop() wakes it at once.
#pragma once

#include "core/result.h"

namespace tlsring::daemon {

class WakeEvent {
 public:
  static Result<WakeEvent> create();

  WakeEvent(WakeEvent&& other) noexcept;
  WakeEvent& operator=(WakeEvent&& other) noexcept;
  WakeEvent(const WakeEvent&) = delete;
  WakeEvent& operator=(const WakeEvent&) = delete;
  ~WakeEvent();

  int fd() const { return fd_; }
  void signal();  // makes fd() readable; safe from any thread
  void clear();   // makes it unreadable again (non-blocking)

 private:
  explicit WakeEvent(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace tlsring::daemon
