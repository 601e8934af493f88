// The operating-system boundary of tlsring: everything that differs between
// Linux (systemd) and Windows (Service Control Manager) is declared here once
// and defined per OS, in platform_linux.cpp or in the platform_windows_*.cpp
// files. Everything else in the tree builds on both. The OS calls the rest of
// daemon/ makes have headers of their own here, same split: durable_files.h,
// process.h, privileges.h, notify_socket.h, ip_address_text.h, file_access.h.
//
// Contract:
//  - No function throws; failures are Errors a person can act on (what, and
//    what to do), in English, UTF-8.
//  - Strings are UTF-8 in and out; the Windows files convert at the Win32 call.
//  - The Windows files need only the Win32 headers, the C++ standard library,
//    core/result.h, config/thumbprint.h and libpcap's headers (for the Npcap
//    shim and the capture wait): no OpenSSL and no spdlog, so that they
//    cross-compile with mingw-w64 as they are. Key
//    bytes cross this interface as a PKCS#12 blob that portable code loads
//    (certificate_store_key.h); log lines cross it as plain text (EventLog;
//    event_log_sink.h adapts it to spdlog).
//  - Functions that act on the machine (service control, event log, the
//    certificate store) are the mechanism only; their policy (which name, what
//    to log, which key) comes from the caller.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "daemon/platform/service_context.h"
#include "config/thumbprint.h"

namespace tlsring::platform {

// A key entry names a certificate-store key with these (config/thumbprint.h).
using config::CertificateStoreName;
using config::format_certificate_store_name;
using config::format_thumbprint;
using config::Thumbprint;

// ------------------------------------------------------- command line --

// The program's arguments after its name, as UTF-8.
//   Linux:   argv[1..argc) as they are (bytes; UTF-8 in any sane locale).
//   Windows: the UTF-16 command line (GetCommandLineW, CommandLineToArgvW),
//            converted: main's argv is in the ANSI code page, which loses
//            every character outside it (a path in Cyrillic, a thumbprint's
//            invisible marks).
std::vector<std::string> command_line_arguments(int argc, char** argv);

// ---------------------------------------------------------------- paths --

// Where tlsring keeps things when a path is not given.
//   Linux:   /etc/tlsring/tlsring.yaml, /var/lib/tlsring, /var/log/tlsring
//   Windows: %ProgramData%\tlsring\tlsring.yaml, ...\data, ...\logs
//            (%ProgramData% from SHGetKnownFolderPath(FOLDERID_ProgramData))
struct DefaultPaths {
  std::filesystem::path config_file;
  std::filesystem::path output_directory;
  std::filesystem::path log_directory;
};
Result<DefaultPaths> default_paths();

// ------------------------------------------------------ service control --

// A service as `tlsring service install` registers it.
struct ServiceDefinition {
  std::string name;                  // the service's key name (`sc query NAME`)
  std::string display_name;          // shown in services.msc
  std::string description;           // shown in services.msc
  std::filesystem::path config_file; // absolute: the manager starts the service in System32
  bool auto_start = false;           // false: started by hand (`tlsring service start`)
};

// Windows: registers this executable with the Service Control Manager as
// "<this exe> run -c <config_file>" (LocalSystem, own process, depending on
// the Npcap driver) and registers NAME as an event log source whose messages
// this executable carries. Linux: an error saying to use systemd's unit.
Status install_service(const ServiceDefinition& definition);

// Windows: deletes the service (refused while it runs: stop it first) and its
// event log source. Linux: an error saying to use systemctl.
Status uninstall_service(const std::string& name);

// Windows: starts the service and waits up to `timeout` for it to report
// running; an error when it stopped instead (with its exit code) or did not
// get there in time. Linux: an error saying to use systemctl.
Status start_service(const std::string& name, std::chrono::milliseconds timeout);

// Windows: asks the service to stop and waits up to `timeout` for it to have
// stopped (it finishes the file it is decrypting first). A service that is
// not running is not an error. Linux: an error saying to use systemctl.
Status stop_service(const std::string& name, std::chrono::milliseconds timeout);

// ------------------------------------------------------ running as one --

// The service's body: runs until done or until `context` asks it to stop,
// and returns the process exit status (0 = stopped as asked).
using ServiceBody = std::function<int(ServiceContext& context)>;

// Runs `body` as the service called `name` and returns its exit status.
//   Windows, started by the Service Control Manager: StartServiceCtrlDispatcher;
//     the service reports START_PENDING, RUNNING once the body calls
//     context.report_ready(), STOP_PENDING when asked to stop, STOPPED with the
//     body's exit status. SERVICE_CONTROL_STOP and SHUTDOWN reach the body
//     through context's stop handler (the role SIGTERM plays on Linux);
//     SERVICE_CONTROL_PARAMCHANGE through its reload handler (SIGHUP's role).
//     context.service_name() is the installed name (the event log source).
//   Windows, started from a console: runs `body` directly (Ctrl+C arrives as
//     SIGINT, as on Linux); context.service_name() is empty.
//   Linux: runs `body` directly; systemd and signals are handled by the body.
int run_as_service(const std::string& name, const ServiceBody& body);

// ------------------------------------------------------------ event log --

enum class EventSeverity { information, warning, error };

// A source of messages in the Windows Application event log.
class EventLog {
 public:
  virtual ~EventLog() = default;
  // Writes one event. Thread safe; failures are ignored (there is nowhere
  // left to report them).
  virtual void report(EventSeverity severity, std::string_view message) = 0;
};

// Windows: RegisterEventSource(source). Messages show in Event Viewer under
// Windows Logs > Application, source `source` (its text is readable there
// once `tlsring service install` registered the source). Linux: an error
// (tlsring logs to the journal there).
Result<std::unique_ptr<EventLog>> open_event_log(const std::string& source);

// ------------------------------------------------------ capture library --

// Windows: loads Npcap's wpcap.dll from %SystemRoot%\System32\Npcap (never
// from the search path) and resolves the pcap_* functions tlsring uses; the
// pcap_* calls of the capture code go through that table. Idempotent, thread
// safe; the first call does the work (the first pcap_* call also triggers
// it). Error "Npcap is not installed: ..." when it is missing. Linux: always
// ok (libpcap is linked).
Status load_capture_library();

// What capture errors tell a person to do, in this system's words (the
// capture code says what went wrong; these say how to fix it).
struct CaptureHints {
  std::string list_interfaces;  // where interface names come from
  std::string permission;       // how to get the right to capture
  std::string bring_up;         // how to bring `interface_name` up
};
CaptureHints capture_hints(const std::string& interface_name);

// ----------------------------------------------------- certificate store --

// A private key exported from a certificate store, as PKCS#12 protected by a
// one-off random password; certificate_store_key.h loads it.
struct ExportedStoreKey {
  std::vector<std::uint8_t> pkcs12;
  std::string password;
  std::string subject;  // the certificate's subject, for messages
};

// Windows: finds the certificate whose SHA-1 thumbprint is `thumbprint` in
// `store` and exports it with its private key. Errors say when there is no
// such certificate, when it has no private key, and when the key is not
// exportable (with how to re-import it as exportable). Linux: an error (the
// certificate store is Windows only; export a .pfx).
Result<ExportedStoreKey> export_certificate_store_key(const CertificateStoreName& store, const Thumbprint& thumbprint);

}  // namespace tlsring::platform
