#include "daemon/cli/service_commands.h"

#include <signal.h>

#include <chrono>
#include <optional>

#include "config/config_loader.h"
#include "daemon/cli/argument_cursor.h"
#include "daemon/service/capture_service.h"
#include "daemon/service/service_status.h"

namespace tlsring::cli {
namespace {

constexpr const char* kRunUsage =
    "usage: tlsring run -c FILE\n"
    "\n"
    "Runs the capture service as FILE (YAML; see /etc/tlsring/tlsring.yaml) configures it:\n"
    "captures into a ring of files, decrypts each completed file in the background, and\n"
    "stops after stop_after (or on SIGTERM/SIGINT). SIGHUP reloads the keys and reopens\n"
    "the log. Exit 0 when it stopped as asked, 2 when it could not start, 1 on a failure\n"
    "while running.\n";

constexpr const char* kStatusUsage =
    "usage: tlsring status -c FILE\n"
    "\n"
    "Shows what the service configured by FILE is doing: running since, packets, kernel\n"
    "drops, files written and deleted, decrypt backlog, sessions by verdict.\n"
    "Exit 0 when it runs, 3 when it is not running, 2 on a bad configuration.\n";

// What a service verb's "-c FILE" gives: the loaded configuration, or the
// exit status to return at once (help printed, or an error).
struct ConfigArgument {
  std::optional<config::ServiceConfig> config;
  int exit_status = 0;
};

// Reads "-c FILE" / "--config FILE" / "--config=FILE" and loads the file.
ConfigArgument load_config_argument(const std::string& verb, const char* usage, const std::vector<std::string>& args,
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
  if (!file) {
    err << "tlsring " << verb << ": no configuration given (-c FILE)\n\n" << usage;
    return {std::nullopt, 2};
  }
  auto config = config::load_config(*file);
  if (!config.ok()) {
    err << "tlsring " << verb << ": " << config.error().message << "\n";
    return {std::nullopt, 2};
  }
  return {std::move(config.value()), 0};
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int run_run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConfigArgument argument = load_config_argument("run", kRunUsage, args, out, err);
  if (!argument.config) return argument.exit_status;
  return daemon::run_service(*argument.config);
}

int run_status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  ConfigArgument argument = load_config_argument("status", kStatusUsage, args, out, err);
  if (!argument.config) return argument.exit_status;
  const config::ServiceConfig& config = *argument.config;
  auto status = daemon::read_status_file(daemon::status_file_path(config));
  if (!status.ok()) {
    err << "tlsring status: " << status.error().message << "\n";
    return 3;
  }
  const bool alive = status->pid > 0 && ::kill(static_cast<pid_t>(status->pid), 0) == 0;
  if (!alive && status->state != "stopped") {
    status->state = "not running (it stopped without saying so: see the log; " + status->state + " when last written)";
  }
  out << daemon::format_status(*status, now_ns());
  return alive && status->state != "stopped" ? 0 : 3;
}

}  // namespace tlsring::cli
