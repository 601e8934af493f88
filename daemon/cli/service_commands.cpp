#include "daemon/cli/service_commands.h"


#include <optional>

#include "daemon/cli/argument_cursor.h"
#include "daemon/platform/clocks.h"
#include "daemon/platform/default_config.h"
#include "daemon/platform/platform.h"
#include "daemon/platform/process.h"
#include "daemon/platform/utf8_path.h"
#include "daemon/service/capture_service.h"
#include "daemon/service/logging.h"
#include "daemon/service/service_status.h"

namespace tlsring::cli {
namespace {

constexpr const char* kRunUsage =
    "usage: tlsring run [-c FILE]\n"
    "\n"
    "Runs the capture service as FILE (YAML; default /etc/tlsring/tlsring.yaml, on Windows\n"
    "%ProgramData%\\tlsring\\tlsring.yaml) configures it: captures into a ring of files,\n"
    "decrypts each completed file in the background, and stops after stop_after (or on\n"
    "SIGTERM/SIGINT, or the Windows service manager's stop). SIGHUP (Windows: `sc.exe control\n"
    "tlsring paramchange`) reloads the keys and reopens the log. Exit 0 when it stopped as\n"
    "asked, 2 when it could not start, 1 on a failure while running.\n";

constexpr const char* kStatusUsage =
    "usage: tlsring status [-c FILE]\n"
    "\n"
    "Shows what the service configured by FILE (default as for `tlsring run`) is doing:\n"
    "running since, packets, kernel drops, files written and deleted, decrypt backlog,\n"
    "sessions by verdict.\n"
    "Exit 0 when it runs, 3 when it is not running, 2 on a bad configuration.\n";

// The name the service runs under when the Service Control Manager starts
// it (Windows; the manager passes the installed name, which wins).
constexpr const char* kServiceName = "tlsring";

// What a service verb's "-c FILE" gives: the configuration file, or the exit
// status to return at once (help printed, or an error).
struct ConfigArgument {
  std::optional<std::filesystem::path> file;
  int exit_status = 0;
};

// Reads "-c FILE" / "--config FILE" / "--config=FILE"; without it, the
// platform's default configuration file.
ConfigArgument parse_config_argument(const std::string& verb, const char* usage, const std::vector<std::string>& args,
                                     std::ostream& out, std::ostream& err) {
  std::optional<std::string> file;
  ArgumentCursor cursor(args);
  while (cursor.next()) {
    if (cursor.is_help()) {
      out << usage;
      return {std::nullopt, 0};
    }
    if (!(cursor.is("-c") || cursor.is("--config"))) {
      err << "tlsring " << verb << ": unknown argument " << cursor.arg() << "\n\n" << usage;
      return {std::nullopt, 2};
    }
    auto text = cursor.value(cursor.is("-c") ? "-c" : "--config");
    if (!text.ok()) {
      err << "tlsring " << verb << ": " << text.error().message << "\n\n" << usage;
      return {std::nullopt, 2};
    }
    file = *text;
  }
  if (file) return {platform::path_from_utf8(*file), 0};
  auto default_file = platform::default_config_file();
  if (!default_file.ok()) {
    err << "tlsring " << verb << ": no configuration given (-c FILE), and no default: "
        << default_file.error().message << "\n";
    return {std::nullopt, 2};
  }
  return {*default_file, 0};
}

// Run by a service manager (Windows), the service has no console: its event
// log hears the warnings, errors, start and stop (the log file everything).
void attach_service_event_log(const platform::ServiceContext& context, std::ostream& err) {
  if (context.service_name().empty()) return;
  auto event_log = platform::open_event_log(context.service_name());
  if (!event_log.ok()) {
    err << "tlsring run: no event log: " << event_log.error().message << "\n";
    return;
  }
  daemon::attach_event_log(std::move(event_log.value()));
}

}  // namespace

int run_run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ConfigArgument argument = parse_config_argument("run", kRunUsage, args, out, err);
  if (!argument.file) return argument.exit_status;
  // The configuration is loaded inside the service body: run by the Windows
  // service manager, a bad one then ends the service with exit status 2 (and
  // an event saying why) instead of a start that never answers.
  return platform::run_as_service(kServiceName, [&](platform::ServiceContext& context) {
    attach_service_event_log(context, err);
    auto config = platform::load_service_config(*argument.file);
    if (!config.ok()) {
      daemon::log_early_error("tlsring run: " + config.error().message, err);
      return daemon::kServiceExitBadSetup;
    }
    return daemon::run_service(*config, context);
  });
}

int run_status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const ConfigArgument argument = parse_config_argument("status", kStatusUsage, args, out, err);
  if (!argument.file) return argument.exit_status;
  const auto loaded = platform::load_service_config(*argument.file);
  if (!loaded.ok()) {
    err << "tlsring status: " << loaded.error().message << "\n";
    return 2;
  }
  const config::ServiceConfig& config = *loaded;
  auto status = daemon::read_status_file(daemon::status_file_path(config));
  if (!status.ok()) {
    err << "tlsring status: " << status.error().message << "\n";
    return 3;
  }
  const bool alive = platform::process_is_running(status->pid);
  if (!alive && status->state != "stopped") {
    status->state = "not running (it stopped without saying so: see the log; " + status->state + " when last written)";
  }
  out << daemon::format_status(*status, platform::system_now_ns());
  return alive && status->state != "stopped" ? 0 : 3;
}

}  // namespace tlsring::cli
