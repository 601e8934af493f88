// run_service: `tlsring run`, the composition of the service. It loads the
// keys, opens the capture, recovers what a crash left, and then runs three
// things side by side until stop_after or a signal:
//   - the capture pipeline (capture thread + writer thread) feeding the
//     RingRecorder, which writes, rotates and trims the ring;
//   - the BackgroundDecryptor, fed every completed file;
//   - a Boost.Asio event loop on the calling thread: signals (SIGTERM/SIGINT
//     stop, SIGHUP reloads keys and reopens the log), the same two requests
//     from a service manager (platform::ServiceContext: the Windows Service
//     Control Manager's stop and paramchange), the status file and systemd
//     notifications every few seconds.
// Directory layout under output.directory:
//   capture/         the ring (NAME.pcapng, NAME.pcapng.part while written)
//   runs/START/      one run's results (see background_decryptor.h)
//   status.json      what `tlsring status` reads
#pragma once

#include "config/service_config.h"
#include "daemon/platform/service_context.h"

namespace tlsring::daemon {

inline constexpr int kServiceExitOk = 0;
inline constexpr int kServiceExitFailed = 1;      // capture or output failed while running
inline constexpr int kServiceExitBadSetup = 2;    // keys, interfaces, filter, directories

// Runs the service; returns the process exit status. `context` carries the
// service manager's stop and reload requests (posted to the event loop, as
// SIGTERM and SIGHUP are), hears report_ready() once capture runs (when
// systemd hears READY=1). Its handlers are cleared before this returns. The
// caller attaches the event log (logging.h) when a service manager runs it.
int run_service(const config::ServiceConfig& config, platform::ServiceContext& context);

// Where the status file of a configuration is.
std::filesystem::path status_file_path(const config::ServiceConfig& config);

}  // namespace tlsring::daemon
