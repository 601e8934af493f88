#include "daemon/service/clock_steps.h"

#include <utility>

#include "config/duration.h"
#include "core/capture/timestamp.h"

namespace tlsring::daemon {
namespace {

// To the second: a step is more than one.
std::string step_length(std::int64_t ns) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  const std::int64_t magnitude = ns < 0 ? -ns : ns;
  return config::format_duration((magnitude + kSecond / 2) / kSecond * kSecond);
}

}  // namespace

std::optional<ClockStep> ClockSteps::look(ClockReading now) {
  const ClockReading last = std::exchange(last_, now);
  const std::int64_t expected = last.wall_ns + (now.steady_ns - last.steady_ns);
  const std::int64_t by = now.wall_ns - expected;
  if (by <= kTolerance && by >= -kTolerance) return std::nullopt;
  ClockStep step;
  step.before_ns = expected;
  step.after_ns = now.wall_ns;
  step.told = ++steps_ <= kToldOneByOne;
  step.last_told = steps_ == kToldOneByOne;
  if (!step.told) ++untold_;
  return step;
}

std::string describe_clock_step(const ClockStep& step) {
  const bool forward = step.by_ns() > 0;
  return std::string("the system clock was set ") + (forward ? "forward" : "back") + " by " +
         step_length(step.by_ns()) + " at about " + capture::utc_second_text(step.before_ns) + " (it then read " +
         capture::utc_second_text(step.after_ns) + "): packet times, capture file names and rotation follow the "
         "system clock, so times in the capture files and transcripts " +
         (forward ? "jump ahead" : "go back and repeat") +
         " there; stop_after counts the time that really passed; what to do: keep the system clock synchronised "
         "(NTP) from before the capture starts";
}

std::string describe_untold_clock_steps(std::size_t count) {
  return "the system clock was set " + std::to_string(count) +
         " more time(s) (each is in the log, at debug level); what to do: keep the system clock synchronised (NTP) "
         "from before the capture starts";
}

}  // namespace tlsring::daemon
