// capture_wait.h on Windows: WaitForMultipleObjects over Npcap's read events
// (pcap_getevent) and a manual-reset event as the wake.
#include "daemon/platform/capture_wait.h"

#include "daemon/platform/platform_windows_text.h"

#include <algorithm>

namespace tlsring::platform {

Result<Waitable> capture_waitable(pcap_t* handle) {
  const HANDLE event = pcap_getevent(handle);
  if (event == nullptr) return make_error("Npcap gives no event to wait on for it");
  return static_cast<Waitable>(event);
}

Result<WakeEvent> WakeEvent::create() {
  // Manual reset: it stays set until clear(), however many waits see it.
  const HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (event == nullptr) return windows_error("cannot create an event for the capture thread", GetLastError());
  return WakeEvent(static_cast<Waitable>(event));
}

void WakeEvent::close() {
  if (waitable_ != kNoWaitable) CloseHandle(static_cast<HANDLE>(waitable_));
  waitable_ = kNoWaitable;
}

void WakeEvent::signal() { SetEvent(static_cast<HANDLE>(waitable_)); }

void WakeEvent::clear() { ResetEvent(static_cast<HANDLE>(waitable_)); }

struct CaptureWait::System {
  std::vector<HANDLE> handles;      // the sources that have one, then the wake event
  std::vector<std::uint8_t> waited;  // per source: 1 when it is in `handles`
};

CaptureWait::CaptureWait(std::vector<Waitable> sources, Waitable wake)
    : system_(new System, &destroy), ready_(sources.size(), 0) {
  // WaitForMultipleObjects takes no null handle: a closed source is left out.
  for (Waitable source : sources) {
    system_->waited.push_back(source != kNoWaitable ? 1 : 0);
    if (source != kNoWaitable) system_->handles.push_back(static_cast<HANDLE>(source));
  }
  system_->handles.push_back(static_cast<HANDLE>(wake));
}

void CaptureWait::destroy(System* system) { delete system; }

Status CaptureWait::wait_system(std::chrono::milliseconds timeout) {
  const std::vector<HANDLE>& handles = system_->handles;
  if (handles.size() > MAXIMUM_WAIT_OBJECTS) {
    return make_error("capture: " + std::to_string(ready_.size()) + " interfaces are more than one thread can wait "
                      "on (at most " + std::to_string(kMaxCaptureSources) + ")");
  }
  // INFINITE is 0xFFFFFFFF: stay below it.
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, 0x7FFFFFFF);
  const DWORD result = WaitForMultipleObjects(static_cast<DWORD>(handles.size()), handles.data(), FALSE,
                                              static_cast<DWORD>(ms));
  if (result == WAIT_FAILED) return windows_error("capture: waiting for packets failed", GetLastError());
  // Every source is read after every wait (see capture_wait.h): Npcap sets
  // its event only past mintocopy bytes, and a read returns fewer.
  ready_ = system_->waited;
  // A manual-reset event: looking does not reset it.
  woken_ = WaitForSingleObject(handles.back(), 0) == WAIT_OBJECT_0;
  return {};
}

}  // namespace tlsring::platform
