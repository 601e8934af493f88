// `tlsring check`: whether the system clock is kept synchronised. Packet
// times, capture file names and rotation follow the system clock: one that is
// off puts wrong times in the transcripts, and one corrected during the
// capture window makes them jump there (the service logs it; stop_after
// counts real time either way). Best set right before the window starts.
#pragma once

#include <optional>

#include "daemon/cli/check_report.h"
#include "daemon/platform/clock_sync.h"

namespace tlsring::cli {

// Pure: ok when synchronised (with the estimated error), warn when not,
// nothing when the system does not tell.
std::optional<CheckLine> clock_line(const std::optional<platform::ClockSync>& sync);

// clock_line() of this host's clock.
std::optional<CheckLine> check_clock();

}  // namespace tlsring::cli
