#include "daemon/platform/service_command.h"

#include "config/duration.h"
#include "daemon/cli/argument_cursor.h"
#include "daemon/platform/utf8_path.h"

namespace tlsring::platform {

const char* const kServiceUsage =
    "usage: tlsring service ACTION [options]     (Windows)\n"
    "\n"
    "  install [-c FILE] [--name NAME] [--auto-start]\n"
    "          registers the service with the Service Control Manager as\n"
    "          \"<this tlsring.exe>\" run -c FILE (FILE made absolute; default\n"
    "          %ProgramData%\\tlsring\\tlsring.yaml), started by hand unless --auto-start\n"
    "  uninstall [--name NAME]                 removes it (stop it first)\n"
    "  start [--name NAME] [--timeout DURATION] starts it, waits until it runs (default 60s)\n"
    "  stop  [--name NAME] [--timeout DURATION] stops it, waits until it stopped (default 5m)\n"
    "\n"
    "NAME defaults to tlsring. Run from an administrator prompt. On Linux the service is\n"
    "the systemd unit tlsring.service: use systemctl.\n";

namespace {

Status check_service_name(const std::string& name) {
  if (name.empty() || name.size() > 80) {
    return make_error("--name: a service name has 1 to 80 characters, '" + name + "' has " +
                      std::to_string(name.size()));
  }
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == '-';
    if (!allowed) {
      return make_error("--name: '" + name + "' may hold only letters, digits, '.', '_' and '-'");
    }
  }
  return {};
}

Result<std::chrono::milliseconds> parse_timeout(const std::string& text) {
  auto ns = config::parse_duration_ns(text);
  if (!ns.ok()) return ns.error().with_context("--timeout");
  if (*ns < 1'000'000'000) return make_error("--timeout: " + text + " is too short, give at least 1s");
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(*ns));
}

std::optional<ServiceCommand::Action> parse_action(const std::string& word) {
  using Action = ServiceCommand::Action;
  if (word == "install") return Action::install;
  if (word == "uninstall") return Action::uninstall;
  if (word == "start") return Action::start;
  if (word == "stop") return Action::stop;
  return std::nullopt;
}

}  // namespace

Result<std::optional<ServiceCommand>> parse_service_command(const std::vector<std::string>& args,
                                                            const std::filesystem::path& default_config_file) {
  using Action = ServiceCommand::Action;
  if (args.empty()) return make_error("no action given: install, uninstall, start or stop");
  const std::string& word = args.front();
  if (word == "-h" || word == "--help" || word == "help") return std::optional<ServiceCommand>();
  const auto action = parse_action(word);
  if (!action) {
    return make_error("unknown action '" + word + "': give install, uninstall, start or stop");
  }

  ServiceCommand command;
  command.action = *action;
  const std::vector<std::string> options(args.begin() + 1, args.end());
  std::optional<std::string> config_file;
  std::optional<std::string> timeout;
  cli::ArgumentCursor cursor(options);
  const auto only_for = [&](const std::string& option, const char* actions) {
    return make_error(option + " is not an option of `service " + word + "` (only of " + actions + ")");
  };
  while (cursor.next()) {
    if (cursor.is_help()) return std::optional<ServiceCommand>();
    if (cursor.is("-c") || cursor.is("--config")) {
      const char* option = cursor.is("-c") ? "-c" : "--config";
      if (command.action != Action::install) return only_for(option, "install");
      auto value = cursor.value(option);
      if (!value.ok()) return value.error();
      if (value->empty()) return make_error(std::string(option) + ": the file name is empty");
      config_file = *value;
    } else if (cursor.is("--name")) {
      auto value = cursor.value("--name");
      if (!value.ok()) return value.error();
      if (Status status = check_service_name(*value); !status.ok()) return status.error();
      command.name = *value;
    } else if (cursor.arg() == "--auto-start") {
      if (command.action != Action::install) return only_for("--auto-start", "install");
      command.auto_start = true;
    } else if (cursor.is("--timeout")) {
      if (command.action != Action::start && command.action != Action::stop) {
        return only_for("--timeout", "start and stop");
      }
      auto value = cursor.value("--timeout");
      if (!value.ok()) return value.error();
      timeout = *value;
    } else {
      return make_error("unknown argument '" + cursor.arg() + "' for `service " + word + "`");
    }
  }

  if (command.action == Action::install) {
    command.config_file = config_file ? path_from_utf8(*config_file) : default_config_file;
  }
  if (command.action == Action::start || command.action == Action::stop) {
    command.timeout = command.action == Action::start ? kDefaultStartTimeout : kDefaultStopTimeout;
    if (timeout) {
      auto parsed = parse_timeout(*timeout);
      if (!parsed.ok()) return parsed.error();
      command.timeout = *parsed;
    }
  }
  return std::optional<ServiceCommand>(std::move(command));
}

}  // namespace tlsring::platform
