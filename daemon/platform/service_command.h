// The arguments of `tlsring service install|uninstall|start|stop`, parsed
// into a ServiceCommand. Pure and portable (tested on Linux); service_verb.h
// carries the command out.
//
//   service install   [-c FILE] [--name NAME] [--auto-start]
//   service uninstall [--name NAME]
//   service start     [--name NAME] [--timeout DURATION]
//   service stop      [--name NAME] [--timeout DURATION]
//
// -c defaults to the platform's configuration file (given by the caller);
// NAME defaults to "tlsring" and is 1 to 80 of [A-Za-z0-9._-]; DURATION is
// written as in the config file ("90s", "5m") and is at least 1s. An option
// that does not belong to the action is an error naming it. Arguments are
// UTF-8 (on Windows main() must hand them over converted from UTF-16).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tlsring::platform {

inline constexpr const char* kDefaultServiceName = "tlsring";
inline constexpr std::chrono::seconds kDefaultStartTimeout{60};
// Stopping finishes the capture file being decrypted: give it time.
inline constexpr std::chrono::seconds kDefaultStopTimeout{300};

struct ServiceCommand {
  enum class Action { install, uninstall, start, stop };
  Action action = Action::install;
  std::string name = kDefaultServiceName;
  std::filesystem::path config_file;     // install: as given (maybe relative), or the default
  bool auto_start = false;               // install: start with Windows instead of by hand
  std::chrono::milliseconds timeout{0};  // start, stop: how long to wait for the service
};

// The usage text of `tlsring service`.
extern const char* const kServiceUsage;

// Parses the arguments that follow the verb `service`. nullopt: help was asked
// for (-h, --help, or `help`). Errors say which argument is wrong and why.
Result<std::optional<ServiceCommand>> parse_service_command(const std::vector<std::string>& args,
                                                            const std::filesystem::path& default_config_file);

}  // namespace tlsring::platform
