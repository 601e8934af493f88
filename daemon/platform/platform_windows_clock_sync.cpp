// clock_sync.h on Windows: not read (the Windows Time service keeps its state
// to itself; `w32tm /query /status` shows it).
#include "daemon/platform/clock_sync.h"

namespace tlsring::platform {

std::optional<ClockSync> system_clock_sync() { return std::nullopt; }

}  // namespace tlsring::platform
