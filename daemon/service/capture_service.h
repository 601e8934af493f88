// run_service: `tlsring run`, the composition of the service. It loads the
// keys, opens the capture, recovers what a crash left, and then runs three
// things side by side until stop_after or a signal:
//   - the capture pipeline (capture thread + writer thread) feeding the
//     RingRecorder, which writes, rotates and trims the ring;
//   - the BackgroundDecryptor, fed every completed file;
//   - a Boost.Asio event loop on the calling thread: signals (SIGTERM/SIGINT
//     stop, SIGHUP reloads keys and reopens the log), the status file and
//     systemd notifications every few seconds.
// Directory layout under output.directory:
//   capture/         the ring (NAME.pcapng, NAME.pcapng.part while written)
//   runs/START/      one run's results (see background_decryptor.h)
//   status.json      what `tlsring status` reads
#pragma once

#include "config/service_config.h"

namespace tlsring::daemon {

inline constexpr int kServiceExitOk = 0;
inline constexpr int kServiceExitFailed = 1;      // capture or output failed while running
inline constexpr int kServiceExitBadSetup = 2;    // keys, interfaces, filter, directories

// Runs the service; returns the process exit status.
int run_service(const config::ServiceConfig& config);

// Where the status file of a configuration is.
std::filesystem::path status_file_path(const config::ServiceConfig& config);

}  // namespace tlsring::daemon
