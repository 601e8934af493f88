#include "daemon/platform/service_verb.h"

#include <system_error>

#include "daemon/platform/platform.h"
#include "daemon/platform/service_command.h"
#include "daemon/platform/utf8_path.h"

namespace tlsring::platform {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The manager starts services in System32: a relative path would point there.
Result<std::filesystem::path> absolute_config_file(const std::filesystem::path& file) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(file, error);
  if (error) return make_error(utf8_path(file) + ": cannot make the path absolute: " + error.message());
  absolute = absolute.lexically_normal();
  if (!std::filesystem::is_regular_file(absolute, error)) {
    return make_error("the configuration file " + utf8_path(absolute) +
                      " does not exist: write it first (start from the example tlsring.yaml), check it with "
                      "`tlsring check -c " + utf8_path(absolute) + "`, then install the service");
  }
  return absolute;
}

int install(const ServiceCommand& command, std::ostream& out, std::ostream& err) {
  auto config_file = absolute_config_file(command.config_file);
  if (!config_file.ok()) {
    err << "tlsring service install: " << config_file.error().message << "\n";
    return kExitUsage;
  }
  ServiceDefinition definition;
  definition.name = command.name;
  definition.display_name = command.name == kDefaultServiceName ? "tlsring TLS capture" : "tlsring TLS capture (" + command.name + ")";
  definition.description =
      "Captures the TLS traffic of the CTI servers into a ring of capture files and decrypts it. "
      "Configuration: " + utf8_path(*config_file);
  definition.config_file = *config_file;
  definition.auto_start = command.auto_start;
  if (Status status = install_service(definition); !status.ok()) {
    err << "tlsring service install: " << status.error().message << "\n";
    return kExitFailed;
  }
  out << "installed service " << command.name << " (" << (command.auto_start ? "starts with Windows" : "started by hand")
      << "), configuration " << utf8_path(*config_file) << "\n"
      << "next: tlsring check -c \"" << utf8_path(*config_file) << "\", then tlsring service start"
      << (command.name == kDefaultServiceName ? "" : " --name " + command.name) << "\n";
  return kExitOk;
}

int report(const char* action, const std::string& name, Status status, const char* done, std::ostream& out,
           std::ostream& err) {
  if (!status.ok()) {
    err << "tlsring service " << action << ": " << status.error().message << "\n";
    return kExitFailed;
  }
  out << "service " << name << " " << done << "\n";
  return kExitOk;
}

}  // namespace

int run_service_verb(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto paths = default_paths();
  // Without a default (Windows could not say where ProgramData is) -c is required.
  const std::filesystem::path default_config = paths.ok() ? paths->config_file : std::filesystem::path();
  auto parsed = parse_service_command(args, default_config);
  if (!parsed.ok()) {
    err << "tlsring service: " << parsed.error().message << "\n\n" << kServiceUsage;
    return kExitUsage;
  }
  if (!parsed->has_value()) {
    out << kServiceUsage;
    return kExitOk;
  }
  const ServiceCommand& command = **parsed;
  using Action = ServiceCommand::Action;
  switch (command.action) {
    case Action::install:
      if (command.config_file.empty()) {
        err << "tlsring service install: " << paths.error().message << ": give the configuration with -c FILE\n";
        return kExitUsage;
      }
      return install(command, out, err);
    case Action::uninstall:
      return report("uninstall", command.name, uninstall_service(command.name), "uninstalled", out, err);
    case Action::start:
      return report("start", command.name, start_service(command.name, command.timeout), "is running", out, err);
    case Action::stop:
      return report("stop", command.name, stop_service(command.name, command.timeout), "is stopped", out, err);
  }
  return kExitUsage;
}

}  // namespace tlsring::platform
