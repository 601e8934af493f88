// Waiting for captured packets and for a wake-up in one call, whatever the
// operating system: the capture thread sleeps here until an interface has
// packets for pcap_dispatch, the wake event is signalled (stop()), or the
// timeout passes.
//   Linux:   poll() on pcap_get_selectable_fd's descriptors and an eventfd.
//   Windows: WaitForMultipleObjects on pcap_getevent's event handles and a
//            manual-reset Win32 event.
//
// Contract:
//  - Waitable is what one waits on: a descriptor (Linux) or an event HANDLE
//    (Windows). Capture waitables belong to their pcap handle; WakeEvent owns
//    its own.
//  - CaptureWait::wait never consumes a readiness: packets stay until they
//    are dispatched, the wake event until WakeEvent::clear().
//  - After wait(), source_ready(i) says whether capture source i should be
//    read now. Windows: every source, after every wait. Npcap signals its
//    event only once more than the "mintocopy" amount (16000 bytes by
//    default) waits in the driver; a non-blocking read still returns fewer
//    bytes, so reading every source after each wait bounds how long a quiet
//    interface's packets wait by the wait's timeout.
//  - One thread waits; WakeEvent::signal() is safe from any thread.
#pragma once

#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tlsring::platform {

#ifdef _WIN32
using Waitable = void*;                       // an event HANDLE
inline constexpr Waitable kNoWaitable = nullptr;
#else
using Waitable = int;                         // a descriptor
inline constexpr Waitable kNoWaitable = -1;
#endif

// The most capture sources one CaptureWait takes (Windows waits on at most
// 64 handles, the wake event being one of them).
inline constexpr std::size_t kMaxCaptureSources = 63;

// What to wait on for an activated, non-blocking pcap handle (owned by the
// handle). An error when libpcap offers nothing to wait on for it.
Result<Waitable> capture_waitable(pcap_t* handle);

// An event one thread waits on and another sets: an eventfd (Linux), a
// manual-reset Win32 event (Windows). Owns it; move-only.
class WakeEvent {
 public:
  static Result<WakeEvent> create();

  WakeEvent(WakeEvent&& other) noexcept : waitable_(std::exchange(other.waitable_, kNoWaitable)) {}
  WakeEvent& operator=(WakeEvent&& other) noexcept {
    if (this != &other) {
      close();
      waitable_ = std::exchange(other.waitable_, kNoWaitable);
    }
    return *this;
  }
  WakeEvent(const WakeEvent&) = delete;
  WakeEvent& operator=(const WakeEvent&) = delete;
  ~WakeEvent() { close(); }

  Waitable waitable() const { return waitable_; }
  // The name the Linux capture loop knew it by (a descriptor to poll()).
  Waitable fd() const { return waitable_; }
  void signal();  // makes it ready; safe from any thread
  void clear();   // makes it not ready again

 private:
  explicit WakeEvent(Waitable waitable) : waitable_(waitable) {}
  void close();
  Waitable waitable_ = kNoWaitable;
};

// One wait over several capture sources and a wake event.
class CaptureWait {
 public:
  // `sources` from capture_waitable, at most kMaxCaptureSources; `wake` a
  // WakeEvent's. Neither is owned: they must outlive this. A source given as
  // kNoWaitable (a closed interface) is not waited on and never ready.
  CaptureWait(std::vector<Waitable> sources, Waitable wake);

  // Waits up to `timeout` (at least 0, at most ~24 days) until a source has
  // packets or the wake event is set. A wait that a signal interrupts returns
  // ok, with nothing ready. An error only when the wait itself failed.
  Status wait(std::chrono::milliseconds timeout) {
    std::fill(ready_.begin(), ready_.end(), std::uint8_t{0});
    woken_ = false;
    return wait_system(timeout);
  }

  bool source_ready(std::size_t index) const { return ready_[index] != 0; }
  bool woken() const { return woken_; }
  std::size_t size() const { return ready_.size(); }

 private:
  struct System;  // the OS's own wait list
  static void destroy(System* system);
  // The OS's wait: sets ready_ and woken_.
  Status wait_system(std::chrono::milliseconds timeout);

  std::unique_ptr<System, void (*)(System*)> system_;
  std::vector<std::uint8_t> ready_;
  bool woken_ = false;
};

}  // namespace tlsring::platform
