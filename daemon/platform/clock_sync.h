// Whether the operating system keeps the system clock synchronised (NTP),
// for `tlsring check`: packet times, capture file names and rotation follow
// that clock, and a clock corrected during a capture jumps in its files.
#pragma once

#include <cstdint>
#include <optional>

namespace tlsring::platform {

struct ClockSync {
  bool synchronised = false;
  std::int64_t estimated_error_us = 0;  // the kernel's estimate, when synchronised
};

// Linux:   the kernel's NTP state (ntp_adjtime, what chrony, ntpd and
//          systemd-timesyncd keep, and `timedatectl` shows); nullopt when it
//          cannot be read.
// Windows: nullopt: the Windows Time service does not tell it this way.
std::optional<ClockSync> system_clock_sync();

}  // namespace tlsring::platform
