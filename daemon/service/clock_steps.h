// ClockSteps: notices that the system clock was set (stepped) while the
// service runs: by an administrator, by NTP or chrony correcting a clock that
// was far off, by a virtual machine resumed after a pause. Packet times,
// capture file names and rotation follow the system clock, so the capture
// files and transcripts jump in time there, and the run's summary says so;
// stop_after does not follow it (the service counts it on a monotonic clock).
//
// Pure: the caller reads the system clock and a monotonic clock together,
// every few seconds, and hands both in. A step is the system clock moving
// more than kTolerance further (or less far) than the monotonic clock between
// two readings. Slewing (the gradual correction NTP makes, at most 0.5 ms per
// second) never adds up to that between two readings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace tlsring::daemon {

struct ClockReading {
  std::int64_t wall_ns = 0;    // the system clock, ns since the Unix epoch
  std::int64_t steady_ns = 0;  // a monotonic clock, from any origin
};

struct ClockStep {
  std::int64_t before_ns = 0;  // what the system clock would read now without the step
  std::int64_t after_ns = 0;   // what it reads now
  std::int64_t by_ns() const { return after_ns - before_ns; }  // > 0: set forward
  bool told = false;           // one of the first kToldOneByOne: logged and in the summary
  bool last_told = false;      // the last of those: the next are only counted
};

class ClockSteps {
 public:
  static constexpr std::int64_t kTolerance = 1'000'000'000;
  // The steps told one by one; the rest are only counted, so that a clock
  // set again and again for days does not grow the log and summary unbounded.
  static constexpr std::size_t kToldOneByOne = 10;

  explicit ClockSteps(ClockReading start) : last_(start) {}

  // The step since the last reading, if there was one.
  std::optional<ClockStep> look(ClockReading now);
  std::size_t untold() const { return untold_; }

 private:
  ClockReading last_;
  std::size_t steps_ = 0;
  std::size_t untold_ = 0;
};

// "the system clock was set forward by 1h at about T (it then read T'): ..."
std::string describe_clock_step(const ClockStep& step);
// "the system clock was set N more time(s) (...)"
std::string describe_untold_clock_steps(std::size_t count);

}  // namespace tlsring::daemon
