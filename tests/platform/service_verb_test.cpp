// `tlsring service` on Linux: usage, argument errors (exit 2), a missing
// configuration (exit 2), and the platform's refusal (exit 1, systemctl).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/platform/service_verb.h"

using tlsring::platform::run_service_verb;

namespace {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

Outcome run(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run_service_verb(args, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("service verb: help goes to stdout with exit 0") {
  const Outcome outcome = run({"--help"});
  CHECK(outcome.status == 0);
  CHECK_THAT(outcome.out, Catch::StartsWith("usage: tlsring service ACTION"));
  CHECK(outcome.err.empty());
}

TEST_CASE("service verb: bad arguments exit 2 with the usage") {
  const Outcome outcome = run({"restart"});
  CHECK(outcome.status == 2);
  CHECK_THAT(outcome.err, Catch::StartsWith("tlsring service: unknown action 'restart'") &&
                              Catch::Contains("usage: tlsring service"));
}

TEST_CASE("service verb: install refuses a configuration that does not exist") {
  const std::filesystem::path missing =
      std::filesystem::temp_directory_path() / ("tlsring-no-such-" + std::to_string(getpid()) + ".yaml");
  const Outcome outcome = run({"install", "-c", missing.string()});
  CHECK(outcome.status == 2);
  CHECK_THAT(outcome.err, Catch::Contains(missing.string() + " does not exist") && Catch::Contains("tlsring check"));
}

TEST_CASE("service verb: on Linux an existing configuration reaches the platform, which points at systemd") {
  const std::filesystem::path config =
      std::filesystem::temp_directory_path() / ("tlsring-verb-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(config) << "capture:\n  interfaces: [lo]\n";
  const Outcome install = run({"install", "-c", config.string()});
  std::filesystem::remove(config);
  CHECK(install.status == 1);
  CHECK_THAT(install.err, Catch::StartsWith("tlsring service install: `tlsring service install` is for Windows"));
  const Outcome start = run({"start"});
  CHECK(start.status == 1);
  CHECK_THAT(start.err, Catch::Contains("systemctl start tlsring"));
}
