// The capture interfaces that are gone right now (their capture failed and
// the pipeline is trying to open them again), as the service tells the log,
// the status file and the run's summary about them. Events come from the
// capture thread, questions from the event loop: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/service/capture_notes.h"

namespace tlsring::daemon {

class LostInterfaces {
 public:
  void lost(const std::string& name, std::int64_t time_ns, const std::string& cause);
  // The outage that ended, when the interface `name` was lost.
  std::optional<InterfaceOutage> back(const std::string& name, std::int64_t time_ns);
  // The interfaces still gone at the stop, each ended there. Forgets them.
  std::vector<InterfaceOutage> end_at_stop(std::int64_t time_ns);
  // For the status file: "capture on "X" stopped at T: CAUSE; ..." (empty when none is gone).
  std::string status_text(const std::string& retry_every) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, InterfaceOutage> gone_;  // by interface name; end_ns not set yet
};

}  // namespace tlsring::daemon
