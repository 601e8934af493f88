// `tlsring run` and `tlsring status` argument handling, in-process: without
// -c they read the platform's default configuration (Linux:
// /etc/tlsring/tlsring.yaml); a configuration that does not load is exit 2
// with the loader's FILE:LINE:COL message, before anything starts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/service_commands.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using tlsring::cli::run_run_command;
using tlsring::cli::run_status_command;

namespace {

void require_no_system_config() {
  if (std::filesystem::exists("/etc/tlsring/tlsring.yaml")) {
    tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                "/etc/tlsring/tlsring.yaml exists on this machine, so the default cannot be shown "
                                "to be read by its absence: this test was NOT run");
  }
}

}  // namespace

TEST_CASE("service commands: without -c, status and run read /etc/tlsring/tlsring.yaml") {
  require_no_system_config();
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_status_command({}, out, err) == 2);
  CHECK_THAT(err.str(), Catch::StartsWith("tlsring status: cannot read config file /etc/tlsring/tlsring.yaml: "));
  std::ostringstream run_err;
  CHECK(run_run_command({}, out, run_err) == 2);
  CHECK_THAT(run_err.str(), Catch::StartsWith("tlsring run: cannot read config file /etc/tlsring/tlsring.yaml: "));
}

TEST_CASE("service commands: a bad configuration stops run before it starts, with its position") {
  tlsring::testing::TempDir dir;
  const std::filesystem::path file = dir.write("tlsring.yaml", "decrypt:\n  keys:\n    - thumbprint: A9 4F\n");
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_run_command({"-c", file.string()}, out, err) == 2);
  CHECK(err.str() == "tlsring run: " + file.string() +
                         ":3:19: decrypt.keys[0].thumbprint: it has 4 hexadecimal digits, a certificate's SHA-1 "
                         "thumbprint has 40: copy the Thumbprint field of the certificate (certlm.msc > Personal > "
                         "Certificates > the certificate > Details) or the Thumbprint column of "
                         "`Get-ChildItem Cert:\\LocalMachine\\My` (PowerShell)\n");
  CHECK(out.str().empty());
}

TEST_CASE("service commands: help shows -c as optional, an unknown argument is exit 2") {
  std::ostringstream out;
  std::ostringstream err;
  CHECK(run_run_command({"--help"}, out, err) == 0);
  CHECK_THAT(out.str(), Catch::StartsWith("usage: tlsring run [-c FILE]"));
  CHECK(run_status_command({"--verbose"}, out, err) == 2);
  CHECK_THAT(err.str(), Catch::StartsWith("tlsring status: unknown argument --verbose"));
}
