// default_config.h, command_line_arguments and capture_hints on Linux: the
// places and words are the Linux ones written out here, and a configuration
// without output.directory or logging.file keeps the behaviour it had before
// the platform said them.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "daemon/platform/default_config.h"
#include "daemon/platform/platform.h"

namespace tp = tlsring::platform;

namespace {

// The test's configuration files, in a directory removed with them when the test ends.
class ConfigDir {
 public:
  ConfigDir() { std::filesystem::create_directories(path_); }
  ~ConfigDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }

 private:
  std::filesystem::path path_ =
      std::filesystem::temp_directory_path() / ("tlsring-default-config-" + std::to_string(::getpid()));
};

}  // namespace

TEST_CASE("default config: Linux's file and locations") {
  auto file = tp::default_config_file();
  REQUIRE(file.ok());
  CHECK(*file == "/etc/tlsring/tlsring.yaml");
  const tlsring::config::DefaultLocations locations = tp::default_locations();
  CHECK(locations.output_directory == "/var/lib/tlsring");
  CHECK(locations.log_file == "/var/log/tlsring/tlsring.log");
}

TEST_CASE("default config: a file without paths gets the platform's, a file with them keeps its own") {
  const ConfigDir dir;
  const auto bare = tp::load_service_config(dir.write("bare.yaml", "capture:\n  interfaces: [lo]\n"));
  REQUIRE(bare.ok());
  CHECK(bare->output.directory == "/var/lib/tlsring");
  CHECK(bare->logging.file == "/var/log/tlsring/tlsring.log");

  const auto own = tp::load_service_config(dir.write(
      "own.yaml", "output:\n  directory: /srv/tlsring\nlogging:\n  target: file\n  file: /srv/log/t.log\n"));
  REQUIRE(own.ok());
  CHECK(own->output.directory == "/srv/tlsring");
  CHECK(own->logging.file == "/srv/log/t.log");
}

TEST_CASE("default config: a file that does not load is reported with its name") {
  const auto missing = tp::load_service_config("/nonexistent/tlsring.yaml");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/tlsring.yaml"));
}

TEST_CASE("command line: on Linux the arguments after the program name, bytes as they are") {
  char program[] = "tlsring";
  char verb[] = "run";
  char option[] = "-c";
  char path[] = "/etc/tlsring/\xD1\x82\xD0\xB5\xD1\x81\xD1\x82.yaml";  // UTF-8 Cyrillic
  char* argv[] = {program, verb, option, path, nullptr};
  CHECK(tp::command_line_arguments(4, argv) ==
        std::vector<std::string>{"run", "-c", "/etc/tlsring/\xD1\x82\xD0\xB5\xD1\x81\xD1\x82.yaml"});
  CHECK(tp::command_line_arguments(1, argv).empty());
  CHECK(tp::command_line_arguments(0, argv).empty());
}

TEST_CASE("capture hints: Linux's words, with the interface named") {
  const tp::CaptureHints hints = tp::capture_hints("eth1");
  CHECK(hints.list_interfaces == "list the interfaces with `ip link`, or use \"any\"");
  CHECK(hints.permission == "run tlsring as root or with the capabilities CAP_NET_RAW,CAP_NET_ADMIN "
                            "(systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN)");
  CHECK(hints.bring_up == "bring it up (`ip link set eth1 up`)");
}
