// The capture thread's wake-up: stop() signals it, and the thread waiting in
// CaptureWait next to the interfaces wakes at once. An eventfd on Linux, a
// Win32 event on Windows: platform::WakeEvent (daemon/platform/capture_wait.h).
#pragma once

#include "daemon/platform/capture_wait.h"

namespace tlsring::daemon {

using platform::WakeEvent;

}  // namespace tlsring::daemon
