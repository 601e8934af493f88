// The times in which the capture dropped packets, as the service tells the
// log, the run's summary and the decryption about them: from the drop
// counters (the kernel's and the interfaces', and tlsring's capture thread's),
// looked at every few seconds and whenever a capture file is handed on.
//
// An episode runs from the last look that found no new drops to the last look
// that found some; the next look without new drops ends it. The decryption
// gets it in parts: the part seen so far whenever a capture file is handed on
// (so that a gap in that file is explained by it), the rest when it ends.
// As with the other capture losses, the first kToldEpisodes episodes are told
// one by one; the rest are only counted, and told in one line at the stop, so
// that days of a capture that keeps dropping do not grow the log, the summary
// or the known losses without bound.
//
// Looks come from the event loop and from the writer thread: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "daemon/service/capture_notes.h"

namespace tlsring::daemon {

// The drop counters since the capture started, as of a time.
struct DropCounts {
  std::uint64_t kernel = 0;  // the kernel's (buffer full) and the interfaces' drops
  std::uint64_t writer = 0;  // tlsring's capture thread had no room for them
  std::int64_t as_of_ns = 0;
};

class CaptureDrops {
 public:
  static constexpr std::size_t kToldEpisodes = kOutagesToldOneByOne;

  // `capture_start_ns`: when the counters were zero. `counters_lag_ns`: how
  // old the kernel's counters may be when looked at (they are refreshed that
  // often), by which each episode starts earlier.
  CaptureDrops(std::int64_t capture_start_ns, std::int64_t counters_lag_ns);

  // What a look found.
  struct Found {
    std::optional<DropEpisode> started;  // its first look: what it dropped so far
    std::optional<DropEpisode> ended;    // the whole episode, at the look that ended it
    bool told = false;                   // the episode started or ended is one of the first kToldEpisodes
    std::optional<DropEpisode> part;     // of a told episode: the part to give to the decryption now
  };
  // A look from time to time.
  Found look(const DropCounts& counts);
  // A look before a capture file is handed on: the part of the episode under
  // way seen so far comes with it.
  Found look_before_handing_on(const DropCounts& counts);
  // The last look, at the stop: the episode under way ends with it.
  Found look_at_stop(const DropCounts& counts);
  // The episode under way at the last look, as far as it went (for the status file).
  std::optional<DropEpisode> under_way() const;
  // The episodes past kToldEpisodes, for one line at the stop.
  UntoldOutages untold() const;

 private:
  struct Open {
    DropEpisode whole;
    std::optional<DropEpisode> part;  // not given to the decryption yet
    bool told = false;
  };
  Found look_locked(const DropCounts& counts);
  Found end_locked();

  mutable std::mutex mutex_;
  const std::int64_t lag_ns_;
  DropCounts last_;                 // the previous look
  std::optional<Open> open_;        // the episode under way
  std::size_t episodes_ = 0;        // every episode so far
  UntoldOutages untold_;            // the ones past kToldEpisodes
};

}  // namespace tlsring::daemon
