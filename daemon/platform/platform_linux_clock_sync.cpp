// clock_sync.h on Linux: the kernel's NTP state.
#include "daemon/platform/clock_sync.h"

#include <sys/timex.h>

namespace tlsring::platform {

std::optional<ClockSync> system_clock_sync() {
  struct timex state {};  // modes 0: read only
  const int result = ::ntp_adjtime(&state);
  if (result == -1) return std::nullopt;
  ClockSync sync;
  // TIME_ERROR, or STA_UNSYNC set: no time service has vouched for the clock
  // (the test `timedatectl` makes for "System clock synchronized").
  sync.synchronised = result != TIME_ERROR && (state.status & STA_UNSYNC) == 0;
  if (sync.synchronised) sync.estimated_error_us = state.esterror;
  return sync;
}

}  // namespace tlsring::platform
