#include "daemon/cli/check_command.h"

#include <algorithm>
#include <filesystem>

#include "config/config_loader.h"
#include "core/capture/capture_reader.h"
#include "core/crypto/providers.h"
#include "daemon/cli/argument_cursor.h"
#include "daemon/cli/capture_file_order.h"
#include "daemon/cli/check_clock.h"
#include "daemon/cli/check_keys.h"
#include "daemon/cli/check_network.h"
#include "daemon/cli/check_output_directory.h"
#include "daemon/cli/check_pcap.h"
#include "daemon/cli/check_report.h"
#include "daemon/platform/default_config.h"
#include "daemon/platform/user_setting.h"
#include "daemon/platform/utf8_path.h"
#include "daemon/service/configured_keys.h"

namespace tlsring::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

constexpr const char* kUsage =
    "usage: tlsring check [-c FILE] [--pcap CAPTURE]...\n"
    "\n"
    "Checks a configuration before the service starts: the config file, the capture\n"
    "interfaces, the filter, capture privileges, the output directory and its free space,\n"
    "every key file (permissions, password, RSA) and key log. Prints one line per check:\n"
    "ok, warn or FAIL, with what to do. Exit status 0 when nothing failed, 1 when a check\n"
    "failed, 2 on bad arguments or a config file that does not load.\n"
    "\n"
    "  -c, --config FILE   the service's config file (default /etc/tlsring/tlsring.yaml,\n"
    "                      on Windows %ProgramData%\\tlsring\\tlsring.yaml)\n"
    "  --pcap CAPTURE      a capture of the servers' traffic (repeat for several files: one\n"
    "                      continuous capture, in the order given); it is decrypted in memory\n"
    "                      with the configured keys, and each server gets its certificate,\n"
    "                      cipher suites and verdicts (nothing is written)\n";

struct CheckArgs {
  std::string config;
  std::vector<std::filesystem::path> captures;
  bool help = false;
};

Result<CheckArgs> parse_args(const std::vector<std::string>& args) {
  CheckArgs parsed;
  ArgumentCursor cursor(args);
  while (cursor.next()) {
    if (cursor.is_help()) {
      parsed.help = true;
    } else if (cursor.is("-c") || cursor.is("--config")) {
      auto text = cursor.value(cursor.is("-c") ? "-c" : "--config");
      if (!text.ok()) return text.error();
      if (!parsed.config.empty()) return make_error("give one config file (-c FILE), not several");
      parsed.config = *text;
    } else if (cursor.is("--pcap")) {
      auto text = cursor.value("--pcap");
      if (!text.ok()) return text.error();
      parsed.captures.emplace_back(*text);
    } else if (cursor.is_option()) {
      return make_error("unknown option " + cursor.arg());
    } else {
      return make_error("unexpected argument '" + cursor.arg() + "' (a capture is given with --pcap " + cursor.arg() +
                        ")");
    }
  }
  if (!parsed.help && parsed.config.empty()) {
    auto default_file = platform::default_config_file();
    if (!default_file.ok()) {
      return make_error("no config file given (-c FILE), and no default: " + default_file.error().message);
    }
    parsed.config = platform::utf8_path(*default_file);
  }
  return parsed;
}

// The servers keys are bound to, for the filter check and the capture verdicts.
ConfiguredKeys configured_keys(const config::ServiceConfig& config) {
  ConfiguredKeys keys;
  keys.config_file = config.source.string();
  auto specs = daemon::configured_key_specs(config);
  if (!specs.ok()) return keys;  // the loader validated every server; nothing to add here
  for (const KeySpec& spec : *specs) {
    if (spec.server) {
      keys.bound.insert(*spec.server);
    } else {
      keys.any_unbound = true;
    }
  }
  return keys;
}

// The configuration without the keys and key logs that did not load, so that
// a capture is still analysed with the rest.
config::ServiceConfig without_unloaded(config::ServiceConfig config, const KeyChecks& checks) {
  for (auto it = checks.unloaded_keys.rbegin(); it != checks.unloaded_keys.rend(); ++it) {
    config.decrypt.keys.erase(config.decrypt.keys.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  for (auto it = checks.unloaded_keylogs.rbegin(); it != checks.unloaded_keylogs.rend(); ++it) {
    config.decrypt.keylogs.erase(config.decrypt.keylogs.begin() + static_cast<std::ptrdiff_t>(*it));
  }
  return config;
}

void check_capture(const config::ServiceConfig& config, const KeyChecks& key_checks,
                   const std::vector<std::filesystem::path>& captures, CheckPrinter& printer) {
  const config::ServiceConfig usable = without_unloaded(config, key_checks);
  if (!key_checks.unloaded_keys.empty() || !key_checks.unloaded_keylogs.empty()) {
    printer.print(warn_line("capture: analysed without the keys and key logs that did not load above"));
  }
  decrypt::KeyStore store;
  // The service's own loading path, so the check sees what the service will.
  if (Status loaded = daemon::load_configured_keys(usable, store); !loaded.ok()) {
    printer.print(fail_line("capture: not analysed: the keys did not load", {loaded.error().message}));
    return;
  }
  auto run = run_capture(captures, store, usable.decrypt.workers);
  if (!run.ok()) {
    printer.print(fail_line("capture: " + run.error().message));
    return;
  }
  printer.print(capture_lines(*run));
  printer.print(server_lines(summarize_by_server(run->reports), configured_keys(usable)));
}

}  // namespace

int run_check_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  auto args = parse_args(argv);
  if (!args.ok()) {
    err << "tlsring check: " << args.error().message << "\n\n" << kUsage;
    return kExitBadInput;
  }
  if (args->help) {
    out << kUsage;
    return kExitOk;
  }
  auto config = platform::load_service_config(platform::path_from_utf8(args->config));
  if (!config.ok()) {
    out << format_check_line(fail_line("config " + args->config + ": does not load", {config.error().message}));
    return kExitBadInput;
  }
  // A capture that does not open, or is given twice, is a bad argument: say so before any check runs.
  for (const auto& capture : args->captures) {
    auto reader = capture::CaptureReader::open(capture);
    if (!reader.ok()) {
      err << "tlsring check: --pcap " << capture.string() << ": " << reader.error().message << "\n";
      return kExitBadInput;
    }
  }
  if (auto once = check_each_capture_once(args->captures); !once.ok()) {
    err << "tlsring check: --pcap " << once.error().message << "\n";
    return kExitBadInput;
  }

  const std::string config_file = config->source.string();
  CheckPrinter printer(out);
  printer.print(ok_line("config " + config_file + ": loads"));
  if (auto unused = platform::unused_user_warning(config->user, platform::kThisOperatingSystem)) {
    printer.print(warn_line(*unused, {"in " + config_file}));
  }

  if (auto interfaces = list_capture_interfaces(); interfaces.ok()) {
    printer.print(interface_lines(config->capture.interfaces, *interfaces, config_file));
  } else {
    printer.print(fail_line("interfaces: " + interfaces.error().message));
  }
  const ConfiguredKeys keys = configured_keys(*config);
  const std::vector<net::Endpoint> bound(keys.bound.begin(), keys.bound.end());
  printer.print(filter_lines(config->capture.filter, config->capture.snaplen, bound, config_file));
  if (auto snaplen = snaplen_line(config->capture.snaplen, config_file)) printer.print(*snaplen);
  printer.print(check_capture_permission());
  if (auto clock = check_clock()) printer.print(*clock);
  printer.print(check_output_directory(*config));

  if (Status providers = crypto::ensure_crypto_providers(); !providers.ok()) {
    printer.print(fail_line("OpenSSL providers: " + providers.error().message));
  }
  const KeyChecks key_checks = check_key_files(*config);
  printer.print(key_checks.lines);
  if (!args->captures.empty()) check_capture(*config, key_checks, args->captures, printer);

  out << "\ntlsring check: " << printer.tally() << "\n";
  return printer.count(CheckStatus::fail) > 0 ? kExitFailed : kExitOk;
}

}  // namespace tlsring::cli
