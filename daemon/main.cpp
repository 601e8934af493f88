// tlsring: one binary, four verbs (run, decrypt, check, status).
#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli/check_command.h"
#include "daemon/cli/decrypt_command.h"
#include "daemon/cli/service_commands.h"
#include "daemon/platform/platform.h"
#include "daemon/platform/service_verb.h"

namespace {

constexpr const char* kUsage =
    "usage: tlsring VERB [options]\n"
    "\n"
    "  run [-c FILE]    the capture service: ring of capture files, background decryption\n"
    "  status [-c FILE] what the running service is doing\n"
    "  service install|uninstall|start|stop\n"
    "                   the Windows service (on Linux: systemctl ... tlsring)\n"
    "  check -c FILE [--pcap CAPTURE]...\n"
    "                   pre-flight: config, interfaces, filter, keys, permissions, disk\n"
    "  decrypt CAPTURE... --key [IP:PORT=]FILE --keylog FILE -o DIR\n"
    "                   decrypt captured TLS traffic (see tlsring decrypt --help)\n";

}  // namespace

int main(int argc, char** argv) {
  // UTF-8 on every system (Windows: from the UTF-16 command line).
  std::vector<std::string> args = tlsring::platform::command_line_arguments(argc, argv);
  if (args.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  if (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  const std::string verb = args[0];
  args.erase(args.begin());
  if (verb == "decrypt") return tlsring::cli::run_decrypt_command(args, std::cout, std::cerr);
  if (verb == "run") return tlsring::cli::run_run_command(args, std::cout, std::cerr);
  if (verb == "service") return tlsring::platform::run_service_verb(args, std::cout, std::cerr);
  if (verb == "check") return tlsring::cli::run_check_command(args, std::cout, std::cerr);
  if (verb == "status") return tlsring::cli::run_status_command(args, std::cout, std::cerr);
  std::cerr << "tlsring: unknown verb '" << verb << "'\n\n" << kUsage;
  return 2;
}
