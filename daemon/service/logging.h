// The service's logging (spdlog), set up from the configuration: the console
// (stderr, with times), the journal (stderr lines carrying the syslog priority
// prefix "<N>" that journald reads; no libsystemd needed), or a file with size
// rotation. Only daemon/ logs; secrets and payload are never logged at info.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"

namespace spdlog {
class logger;
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
// reopens the log file, so that an outside log rotation takes effect.
Status setup_logging(const LogOptions& options);

}  // namespace tlsring::daemon
