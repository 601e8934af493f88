// The capture interfaces that are gone right now (their capture failed and
// the pipeline is trying to open them again), as the service tells the log,
// the status file and the run's summary about them. Events come from the
// capture thread, questions from the event loop: thread-safe.
//
// An interface that keeps failing (back and gone again every few seconds, for
// days) must not grow the log, the summary and the known capture losses
// without bound: the first kToldOutages outages of each interface are told
// one by one, the rest only counted, and told in one line at the stop.
#pragma once

#include <cstddef>
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
  static constexpr std::size_t kToldOutages = kOutagesToldOneByOne;

  // Returns whether to tell this outage (one of the interface's first kToldOutages).
  bool lost(const std::string& name, std::int64_t time_ns, const std::string& cause);
  struct Ended {
    InterfaceOutage outage;
    bool told = false;  // as lost() said
  };
  // The outage that ended, when the interface `name` was lost.
  std::optional<Ended> back(const std::string& name, std::int64_t time_ns);
  // True once `name` had kToldOutages outages: the next ones are only counted.
  bool told_all(const std::string& name) const;
  // True while `name` is gone in an outage that is told.
  bool telling(const std::string& name) const;

  struct AtStop {
    std::vector<InterfaceOutage> still_gone;  // told ones, ended at the stop
    std::vector<UntoldOutages> untold;        // per interface that had more than kToldOutages
  };
  // Ends the outages still open at the stop and says what was not told. Forgets them.
  AtStop end_at_stop(std::int64_t time_ns);

  // For the status file: "capture on "X" stopped at T: CAUSE; ..." (empty when none is gone).
  std::string status_text(const std::string& retry_every) const;
  // For systemd's one-line STATUS: "eth1, eth2" (empty when none is gone).
  std::string names() const;

 private:
  struct Gone {
    InterfaceOutage outage;  // end_ns not set yet
    bool told = false;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Gone> gone_;             // by interface name
  std::map<std::string, std::size_t> outages_;   // every outage so far, by interface name
  std::map<std::string, UntoldOutages> untold_;  // the ones past kToldOutages
};

}  // namespace tlsring::daemon
