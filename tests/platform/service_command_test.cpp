// parse_service_command: `tlsring service ...` arguments.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/platform/service_command.h"

using tlsring::platform::parse_service_command;
using tlsring::platform::ServiceCommand;
using Action = ServiceCommand::Action;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kDefaultConfig = R"(C:\ProgramData\tlsring\tlsring.yaml)";

ServiceCommand parse_ok(const std::vector<std::string>& args) {
  auto parsed = parse_service_command(args, kDefaultConfig);
  INFO((parsed.ok() ? std::string() : parsed.error().message));
  REQUIRE(parsed.ok());
  REQUIRE(parsed->has_value());
  return **parsed;
}

std::string parse_error(const std::vector<std::string>& args) {
  auto parsed = parse_service_command(args, kDefaultConfig);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().message;
}

}  // namespace

TEST_CASE("service command: install with the defaults") {
  const ServiceCommand command = parse_ok({"install"});
  CHECK(command.action == Action::install);
  CHECK(command.name == "tlsring");
  CHECK(command.config_file == kDefaultConfig);
  CHECK_FALSE(command.auto_start);
}

TEST_CASE("service command: install with every option, both spellings") {
  const ServiceCommand a = parse_ok({"install", "-c", R"(D:\site a\tlsring.yaml)", "--name", "tlsring-b", "--auto-start"});
  CHECK(a.config_file == R"(D:\site a\tlsring.yaml)");
  CHECK(a.name == "tlsring-b");
  CHECK(a.auto_start);
  const ServiceCommand b = parse_ok({"install", "--config=site.yaml", "--name=x.y_z-1"});
  CHECK(b.config_file == "site.yaml");
  CHECK(b.name == "x.y_z-1");
}

TEST_CASE("service command: uninstall, start and stop") {
  CHECK(parse_ok({"uninstall"}).action == Action::uninstall);
  const ServiceCommand start = parse_ok({"start"});
  CHECK(start.action == Action::start);
  CHECK(start.timeout == 60s);
  const ServiceCommand stop = parse_ok({"stop", "--name", "other"});
  CHECK(stop.action == Action::stop);
  CHECK(stop.timeout == 5min);
  CHECK(stop.name == "other");
  CHECK(parse_ok({"stop", "--timeout", "1h30m"}).timeout == 90min);
  CHECK(parse_ok({"start", "--timeout=90s"}).timeout == 90s);
}

TEST_CASE("service command: help in any position") {
  for (const auto& args : {std::vector<std::string>{"help"}, {"--help"}, {"-h"}, {"install", "--help"}, {"stop", "-h"}}) {
    auto parsed = parse_service_command(args, kDefaultConfig);
    REQUIRE(parsed.ok());
    CHECK_FALSE(parsed->has_value());
  }
}

TEST_CASE("service command: errors name the argument") {
  CHECK_THAT(parse_error({}), Catch::Contains("no action"));
  CHECK_THAT(parse_error({"restart"}), Catch::Contains("unknown action 'restart'"));
  CHECK_THAT(parse_error({"start", "-c", "x.yaml"}), Catch::Contains("-c is not an option of `service start`"));
  CHECK_THAT(parse_error({"install", "--timeout", "5s"}), Catch::Contains("--timeout is not an option of `service install`"));
  CHECK_THAT(parse_error({"stop", "--auto-start"}), Catch::Contains("--auto-start is not an option of `service stop`"));
  CHECK_THAT(parse_error({"install", "-c"}), Catch::Contains("-c needs a value"));
  CHECK_THAT(parse_error({"install", "-c", ""}), Catch::Contains("empty"));
  CHECK_THAT(parse_error({"install", "--name", "a/b"}), Catch::Contains("'a/b' may hold only"));
  CHECK_THAT(parse_error({"install", "--name", ""}), Catch::Contains("1 to 80"));
  CHECK_THAT(parse_error({"install", "--name", std::string(81, 'n')}), Catch::Contains("has 81"));
  CHECK_THAT(parse_error({"stop", "--timeout", "500ms"}), Catch::Contains("at least 1s"));
  CHECK_THAT(parse_error({"stop", "--timeout", "90"}), Catch::StartsWith("--timeout: "));
  CHECK_THAT(parse_error({"uninstall", "--force"}), Catch::Contains("unknown argument '--force'"));
}
