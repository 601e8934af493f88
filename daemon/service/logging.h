// The service's logging (spdlog), set up from the configuration: the console
// (stderr, with times), the journal (stderr lines carrying the syslog priority
// prefix "<N>" that journald reads; no libsystemd needed), or a file with size
// rotation. Run by the Windows Service Control Manager, the service also
// writes its warnings, errors and milestones (started, stopped) to the event
// log. Only daemon/ logs; secrets and payload are never logged at info.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "core/result.h"

namespace spdlog {
class logger;
}

namespace tlsring::platform {
class EventLog;
}

namespace tlsring::daemon {

struct LogOptions {
  enum class Target { console, journal, file };
  std::string level = "info";   // trace, debug, info, warn, error
  Target target = Target::console;
  std::filesystem::path file;   // Target::file
  std::uint64_t max_file_size = 10u << 20;
  unsigned max_files = 5;
};

// Builds the logger and makes it spdlog's default. Called again (SIGHUP), it
// reopens the log file, so that an outside log rotation takes effect; an event
// log attached before stays attached.
Status setup_logging(const LogOptions& options);

// From now on warnings and errors, and log_milestone's lines, also go to
// `event_log` (platform::open_event_log; tests give their own). Replaces one
// attached before; nullptr detaches it.
void attach_event_log(std::unique_ptr<platform::EventLog> event_log);

// A failure before setup_logging succeeded (a configuration that does not
// load, a log file that does not open): `text` and a newline to `err`, and to
// the event log when one is attached, where a service without a console
// leaves its only trace.
void log_early_error(const std::string& text, std::ostream& err);

// An info line that also goes to the event log when one is attached: the few
// an operator watching Event Viewer wants (the service started capturing, it
// stopped).
void log_milestone(const std::string& text);

}  // namespace tlsring::daemon
