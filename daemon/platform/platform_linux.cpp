// platform.h on Linux: systemd runs the service, libpcap is linked, keys come
// from files. What is Windows only says so and names the Linux way.
#include "daemon/platform/platform.h"

namespace tlsring::platform {
namespace {

Error use_systemctl(const std::string& action, const std::string& how) {
  return make_error("`tlsring service " + action +
                    "` is for Windows: on Linux the service is the systemd unit tlsring.service, installed "
                    "with the package; " + how);
}

}  // namespace

std::vector<std::string> command_line_arguments(int argc, char** argv) {
  if (argc < 1) return {};
  return std::vector<std::string>(argv + 1, argv + argc);
}

Result<DefaultPaths> default_paths() {
  return DefaultPaths{"/etc/tlsring/tlsring.yaml", "/var/lib/tlsring", "/var/log/tlsring"};
}

Status install_service(const ServiceDefinition&) {
  return use_systemctl("install", "configure /etc/tlsring/tlsring.yaml, then `systemctl enable --now tlsring`");
}

Status uninstall_service(const std::string&) {
  return use_systemctl("uninstall", "`systemctl disable --now tlsring`, then remove the package");
}

Status start_service(const std::string&, std::chrono::milliseconds) {
  return use_systemctl("start", "`systemctl start tlsring`");
}

Status stop_service(const std::string&, std::chrono::milliseconds) {
  return use_systemctl("stop", "`systemctl stop tlsring`");
}

int run_as_service(const std::string&, const ServiceBody& body) {
  // systemd starts `tlsring run` as a plain process; the body handles the
  // signals and notifications itself. Nothing ever asks this context.
  ServiceContext context;
  return body(context);
}

Result<std::unique_ptr<EventLog>> open_event_log(const std::string&) {
  return make_error("the event log is Windows only: on Linux tlsring logs to the journal (logging.target: journal)");
}

Status load_capture_library() { return {}; }

CaptureHints capture_hints(const std::string& interface_name) {
  return CaptureHints{
      "list the interfaces with `ip link`, or use \"any\"",
      "run tlsring as root or with the capabilities CAP_NET_RAW,CAP_NET_ADMIN "
      "(systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN)",
      "bring it up (`ip link set " + interface_name + " up`)"};
}

Result<ExportedStoreKey> export_certificate_store_key(const CertificateStoreName&, const Thumbprint&) {
  return make_error("the certificate store is Windows only: on the Windows host, export the certificate with its "
                    "private key as a .pfx (Export-PfxCertificate) and give that file as the key's `file`");
}

}  // namespace tlsring::platform
