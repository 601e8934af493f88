// run_as_service on Windows: the service side of the Service Control Manager.
// The body runs on ServiceMain's thread; the manager's controls arrive on the
// dispatcher's thread (the process's main thread, inside
// StartServiceCtrlDispatcher) and reach the body through ServiceContext.
#include "daemon/platform/platform_windows_text.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon/platform/platform.h"

namespace tlsring::platform {
namespace {

// While starting or stopping, the manager expects a new checkpoint within
// the wait hint, or it declares the service hung. Starting (keys, capture)
// and stopping (the file being decrypted is finished) legitimately take
// long, so a heartbeat advances the checkpoint while the body works.
constexpr DWORD kWaitHintMs = 30'000;
constexpr auto kHeartbeat = std::chrono::seconds(5);

struct ServiceState {
  std::wstring name;
  const ServiceBody* body = nullptr;
  int exit_status = 0;

  std::mutex mutex;  // guards everything below
  SERVICE_STATUS_HANDLE status_handle = nullptr;
  SERVICE_STATUS status{};
  ServiceContext* context = nullptr;  // null outside the body's lifetime
  bool finished = false;
  std::condition_variable changed;

  // Reports `state`; the caller holds `mutex`.
  void report_locked(DWORD state, DWORD win32_exit = NO_ERROR, DWORD specific_exit = 0) {
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    // Stop is taken while starting too: ServiceContext keeps it for the body.
    status.dwControlsAccepted = state == SERVICE_RUNNING || state == SERVICE_START_PENDING
                                    ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE
                                    : 0;
    status.dwWin32ExitCode = win32_exit;
    status.dwServiceSpecificExitCode = specific_exit;
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    status.dwCheckPoint = pending ? status.dwCheckPoint + 1 : 0;
    status.dwWaitHint = pending ? kWaitHintMs : 0;
    SetServiceStatus(status_handle, &status);
  }
};

// The dispatcher calls ServiceMain without a context pointer: this is the one
// way to hand it run_as_service's state (one service per process).
ServiceState* g_state = nullptr;

DWORD WINAPI control_handler(DWORD control, DWORD, LPVOID, LPVOID context) {
  auto* state = static_cast<ServiceState*>(context);
  std::lock_guard lock(state->mutex);
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      if (state->context == nullptr) return NO_ERROR;  // the body has returned: STOPPED comes next
      if (state->status.dwCurrentState != SERVICE_STOP_PENDING) state->report_locked(SERVICE_STOP_PENDING);
      state->context->request_stop();
      return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
      if (state->context != nullptr) state->context->request_reload();
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void heartbeat(ServiceState& state) {
  std::unique_lock lock(state.mutex);
  while (!state.changed.wait_for(lock, kHeartbeat, [&] { return state.finished; })) {
    const DWORD current = state.status.dwCurrentState;
    if (current == SERVICE_START_PENDING || current == SERVICE_STOP_PENDING) state.report_locked(current);
  }
}

void WINAPI service_main(DWORD argc, LPWSTR* argv) {
  ServiceState& state = *g_state;
  // The manager passes the installed name first; for a service of its own
  // process the dispatcher's table name does not have to match it.
  const std::wstring name = argc > 0 && argv != nullptr && argv[0] != nullptr ? std::wstring(argv[0]) : state.name;
  ServiceContext context(narrow(name), ServiceContext::Hooks{[&state] {
    std::lock_guard lock(state.mutex);
    if (state.status.dwCurrentState == SERVICE_START_PENDING) state.report_locked(SERVICE_RUNNING);
  }});
  // The context exists before any control can arrive: a stop sent while
  // starting is kept for the body, never dropped.
  {
    std::lock_guard lock(state.mutex);
    state.context = &context;
  }
  const SERVICE_STATUS_HANDLE status_handle = RegisterServiceCtrlHandlerExW(name.c_str(), &control_handler, &state);
  if (status_handle == nullptr) {
    std::lock_guard lock(state.mutex);
    state.context = nullptr;
    state.exit_status = 1;  // the manager cannot be told anything: it times the start out
    return;
  }
  {
    std::lock_guard lock(state.mutex);
    state.status_handle = status_handle;
    if (state.status.dwCurrentState != SERVICE_STOP_PENDING) state.report_locked(SERVICE_START_PENDING);
  }
  std::thread beat(heartbeat, std::ref(state));

  int exit_status = 1;
  try {
    exit_status = (*state.body)(context);
  } catch (...) {
    // A throw out of the body is a bug: still report STOPPED with a failure,
    // so the manager shows an exit status instead of a vanished process.
    exit_status = 1;
  }
  state.exit_status = exit_status;

  std::unique_lock lock(state.mutex);
  state.context = nullptr;  // no control reaches the context after this
  state.finished = true;
  state.changed.notify_all();
  lock.unlock();
  beat.join();
  lock.lock();
  // Last: after STOPPED the process may be ended at any moment.
  if (exit_status == 0) {
    state.report_locked(SERVICE_STOPPED);
  } else {
    state.report_locked(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, static_cast<DWORD>(exit_status));
  }
}

}  // namespace

int run_as_service(const std::string& name, const ServiceBody& body) {
  ServiceState state;
  state.name = widen(name);
  state.body = &body;
  g_state = &state;
  SERVICE_TABLE_ENTRYW table[] = {{state.name.data(), &service_main}, {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(table)) {
    g_state = nullptr;
    // Started from a console, not by the manager: run in the foreground;
    // Ctrl+C arrives as SIGINT, as on Linux.
    if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
      ServiceContext context;
      return body(context);
    }
    return 1;  // no manager and no console to tell: the exit status is all there is
  }
  g_state = nullptr;
  return state.exit_status;
}

}  // namespace tlsring::platform
