#include "daemon/cli/check_clock.h"

#include <string>

namespace tlsring::cli {

std::optional<CheckLine> clock_line(const std::optional<platform::ClockSync>& sync) {
  if (!sync) return std::nullopt;
  if (sync->synchronised) {
    const std::int64_t ms = (sync->estimated_error_us + 500) / 1000;
    return ok_line("system clock: synchronised (NTP), estimated error " +
                   (ms == 0 ? std::string("under 1 ms") : std::to_string(ms) + " ms"));
  }
  return warn_line("system clock: not synchronised (NTP)",
                   {"packet times, capture file names and rotation follow it: a clock that is off puts wrong times "
                    "in the transcripts, and correcting it during the capture makes them jump there (stop_after "
                    "counts real time all the same)",
                    "fix: turn time synchronisation on before the capture window: timedatectl set-ntp true, or "
                    "chrony or ntpd"});
}

std::optional<CheckLine> check_clock() { return clock_line(platform::system_clock_sync()); }

}  // namespace tlsring::cli
