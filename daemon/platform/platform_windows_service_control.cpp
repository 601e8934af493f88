// install/uninstall/start/stop_service on Windows: the Service Control
// Manager's API. Every error says what failed and what to do; the usual ones
// (not an administrator, no such service, still running) in plain words.
#include "daemon/platform/platform_windows_text.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <type_traits>

#include "daemon/platform/platform.h"
#include "daemon/platform/platform_windows_event_log.h"
#include "daemon/platform/utf8_path.h"
#include "daemon/platform/windows_command_line.h"

namespace tlsring::platform {
namespace {

struct ServiceHandleCloser {
  void operator()(SC_HANDLE handle) const { CloseServiceHandle(handle); }
};
using ServiceHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ServiceHandleCloser>;

// The Npcap driver's service: tlsring's service starts after it.
constexpr wchar_t kDependencies[] = L"npcap\0";  // a double-NUL-ended list (the literal adds the second)

// After a failure (a crash, or stopping with an exit status other than 0) the
// manager restarts the service twice, 10 s and then 60 s later, and then
// leaves it stopped until the next day: a failure while capturing is retried,
// a bad setup (which fails every time) does not loop.
constexpr DWORD kFirstRestartMs = 10'000;
constexpr DWORD kSecondRestartMs = 60'000;
constexpr DWORD kFailureCountResetSeconds = 24 * 3600;

Error manager_error(const std::string& what, const std::string& name, DWORD code) {
  switch (code) {
    case ERROR_ACCESS_DENIED:
      return make_error(what + ": access denied: run it from an administrator prompt (right-click "
                        "Command Prompt or PowerShell > Run as administrator)");
    case ERROR_SERVICE_DOES_NOT_EXIST:
      return make_error(what + ": there is no service " + name + ": install it with `tlsring service install`");
    case ERROR_SERVICE_EXISTS:
      return make_error(what + ": a service " + name + " exists already: `tlsring service uninstall` it first, "
                        "or give another --name");
    case ERROR_SERVICE_MARKED_FOR_DELETE:
      return make_error(what + ": service " + name + " is being deleted: close services.msc and Event Viewer "
                        "(they hold it open) and try again");
    case ERROR_SERVICE_DISABLED:
      return make_error(what + ": service " + name + " is disabled: set its startup type to Manual in services.msc");
    case ERROR_SERVICE_DEPENDENCY_DELETED:
    case ERROR_SERVICE_DEPENDENCY_FAIL:
      return make_error(what + ": the Npcap driver (service npcap) is missing or did not start: install Npcap "
                        "from https://npcap.com, or repair it from Apps & features");
    default:
      return windows_error(what, code);
  }
}

Result<ServiceHandle> open_manager(const std::string& what, const std::string& name, DWORD access) {
  ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, access));
  if (!manager) return manager_error(what, name, GetLastError());
  return manager;
}

Result<ServiceHandle> open_service(const std::string& what, const std::string& name, DWORD access) {
  auto manager = open_manager(what, name, SC_MANAGER_CONNECT);
  if (!manager.ok()) return manager.error();
  ServiceHandle service(OpenServiceW(manager->get(), widen(name).c_str(), access));
  if (!service) return manager_error(what, name, GetLastError());
  return service;
}

Result<SERVICE_STATUS_PROCESS> query(SC_HANDLE service, const std::string& what, const std::string& name) {
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  if (!QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status), sizeof status,
                            &needed)) {
    return manager_error(what, name, GetLastError());
  }
  return status;
}

// Polls until the service leaves `pending` or `timeout` passes; returns the
// last status seen. The interval follows the service's own wait hint, as the
// manager's documentation advises: a tenth of it, between 250 ms and 2 s.
Result<SERVICE_STATUS_PROCESS> wait_while(SC_HANDLE service, DWORD pending, std::chrono::milliseconds timeout,
                                          const std::string& what, const std::string& name) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto status = query(service, what, name);
    if (!status.ok() || status->dwCurrentState != pending) return status;
    if (std::chrono::steady_clock::now() >= deadline) return status;
    const auto hint = std::chrono::milliseconds(status->dwWaitHint / 10);
    std::this_thread::sleep_for(std::clamp(hint, std::chrono::milliseconds(250), std::chrono::milliseconds(2000)));
  }
}

std::string exit_description(const SERVICE_STATUS_PROCESS& status) {
  if (status.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR) {
    const DWORD code = status.dwServiceSpecificExitCode;
    if (code == 2) return "exit status 2: bad setup (configuration, keys, interfaces or directories)";
    return "exit status " + std::to_string(code);
  }
  if (status.dwWin32ExitCode == NO_ERROR) return "no error reported";
  return windows_error_text(status.dwWin32ExitCode);
}

std::string seconds_text(std::chrono::milliseconds timeout) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s";
}

Status configure(SC_HANDLE service, const ServiceDefinition& definition) {
  std::wstring description = widen(definition.description);
  SERVICE_DESCRIPTIONW description_info{description.data()};
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_DESCRIPTION, &description_info)) {
    return manager_error("cannot set the service's description", definition.name, GetLastError());
  }
  SC_ACTION actions[] = {{SC_ACTION_RESTART, kFirstRestartMs}, {SC_ACTION_RESTART, kSecondRestartMs},
                         {SC_ACTION_NONE, 0}};
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = kFailureCountResetSeconds;
  failure.cActions = static_cast<DWORD>(std::size(actions));
  failure.lpsaActions = actions;
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
    return manager_error("cannot set the service's recovery actions", definition.name, GetLastError());
  }
  // Without this only a crash counts as a failure, not an exit status of 1.
  SERVICE_FAILURE_ACTIONS_FLAG on_exit_status{TRUE};
  if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &on_exit_status)) {
    return manager_error("cannot set the service's recovery actions", definition.name, GetLastError());
  }
  return {};
}

}  // namespace

Status install_service(const ServiceDefinition& definition) {
  const std::string what = "cannot install service " + definition.name;
  auto executable = executable_path();
  if (!executable.ok()) return executable.error().with_context(what);
  auto command_line = service_command_line(narrow(*executable), utf8_path(definition.config_file));
  if (!command_line.ok()) return command_line.error().with_context(what);

  auto manager = open_manager(what, definition.name, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
  if (!manager.ok()) return manager.error();
  ServiceHandle service(CreateServiceW(
      manager->get(), widen(definition.name).c_str(), widen(definition.display_name).c_str(),
      SERVICE_CHANGE_CONFIG | SERVICE_QUERY_STATUS | DELETE, SERVICE_WIN32_OWN_PROCESS,
      definition.auto_start ? SERVICE_AUTO_START : SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL,
      widen(*command_line).c_str(), nullptr, nullptr, kDependencies,
      nullptr /* LocalSystem: opens Npcap and reads LocalMachine\My keys */, nullptr));
  if (!service) return manager_error(what, definition.name, GetLastError());

  // Half an installation is worse than none: undo the service on failure.
  Status configured = configure(service.get(), definition);
  if (configured.ok()) configured = register_event_source(widen(definition.name), *executable);
  if (!configured.ok()) {
    DeleteService(service.get());
    return configured.error().with_context(what);
  }
  return {};
}

Status uninstall_service(const std::string& name) {
  const std::string what = "cannot uninstall service " + name;
  auto service = open_service(what, name, DELETE | SERVICE_QUERY_STATUS);
  if (!service.ok()) return service.error();
  auto status = query(service->get(), what, name);
  if (!status.ok()) return status.error();
  if (status->dwCurrentState != SERVICE_STOPPED) {
    return make_error(what + ": it is running: stop it first (`tlsring service stop`)");
  }
  if (!DeleteService(service->get())) return manager_error(what, name, GetLastError());
  return unregister_event_source(widen(name));
}

Status start_service(const std::string& name, std::chrono::milliseconds timeout) {
  const std::string what = "cannot start service " + name;
  auto service = open_service(what, name, SERVICE_START | SERVICE_QUERY_STATUS);
  if (!service.ok()) return service.error();
  if (!StartServiceW(service->get(), 0, nullptr)) {
    const DWORD code = GetLastError();
    if (code == ERROR_SERVICE_ALREADY_RUNNING) return {};
    return manager_error(what, name, code);
  }
  auto status = wait_while(service->get(), SERVICE_START_PENDING, timeout, what, name);
  if (!status.ok()) return status.error();
  switch (status->dwCurrentState) {
    case SERVICE_RUNNING: return {};
    case SERVICE_START_PENDING:
      return make_error("service " + name + " is still starting after " + seconds_text(timeout) +
                        ": `sc query " + name + "` shows when it runs; the event log (Event Viewer > Windows Logs > "
                        "Application, source " + name + ") says what it is doing");
    default:
      return make_error("service " + name + " stopped while starting (" + exit_description(*status) +
                        "): the event log (Event Viewer > Windows Logs > Application, source " + name +
                        ") says why; `tlsring check -c CONFIG` checks the setup");
  }
}

Status stop_service(const std::string& name, std::chrono::milliseconds timeout) {
  const std::string what = "cannot stop service " + name;
  auto service = open_service(what, name, SERVICE_STOP | SERVICE_QUERY_STATUS);
  if (!service.ok()) return service.error();
  SERVICE_STATUS ignored{};
  if (!ControlService(service->get(), SERVICE_CONTROL_STOP, &ignored)) {
    const DWORD code = GetLastError();
    if (code == ERROR_SERVICE_NOT_ACTIVE) return {};
    // Already stopping (a stop sent earlier, or the end of stop_after): wait for it.
    if (code != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) return manager_error(what, name, code);
  }
  auto status = wait_while(service->get(), SERVICE_STOP_PENDING, timeout, what, name);
  if (!status.ok()) return status.error();
  if (status->dwCurrentState == SERVICE_STOPPED) return {};
  if (status->dwCurrentState != SERVICE_STOP_PENDING) {
    return make_error("service " + name + " did not take the stop request (it is still " +
                      (status->dwCurrentState == SERVICE_START_PENDING ? "starting" : "running") +
                      "): try again in a moment");
  }
  return make_error("service " + name + " has not stopped after " + seconds_text(timeout) +
                    ": it finishes the capture file it is decrypting first and goes on stopping; "
                    "`sc query " + name + "` shows when it has stopped");
}

}  // namespace tlsring::platform
