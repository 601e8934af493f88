// The two example files shipped in config/: both load, with the values their
// text says.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config_loader.h"

using namespace tlsring::config;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const std::filesystem::path kConfigDir = std::filesystem::path(TLSRING_SOURCE_DIR) / "config";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("example files: tlsring.yaml") {
  const auto result = load_config(kConfigDir / "tlsring.yaml");
  if (!result.ok()) FAIL(result.error().message);
  const ServiceConfig& c = result.value();
  CHECK(c.source == kConfigDir / "tlsring.yaml");
  CHECK(c.capture.interfaces == std::vector<std::string>{"any"});
  CHECK(c.capture.filter == "tcp port 3000");
  CHECK(c.capture.snaplen == 262144u);
  CHECK(c.capture.buffer_size == 16'777'216u);
  CHECK_FALSE(c.capture.promiscuous);
  CHECK(c.rotation.every_ns == 3600 * kSecond);
  CHECK(c.rotation.max_file_size == 1'073'741'824u);
  CHECK(c.rotation.keep_files == 48u);
  CHECK(c.rotation.max_total_size == 21'474'836'480u);
  CHECK(c.rotation.min_free_space == 2'147'483'648u);
  CHECK(c.stop_after_ns == 8 * 3600 * kSecond);
  CHECK(c.output.directory == "/var/lib/tlsring");
  CHECK(c.output.format == tlsring::capture::CaptureFormat::pcapng);
  CHECK(c.decrypt.workers == 1u);
  REQUIRE(c.decrypt.keys.size() == 2);
  CHECK(c.decrypt.keys[0].server == "10.0.0.5:3000");
  CHECK(c.decrypt.keys[0].file == "/etc/tlsring/keys/tserver.pfx");
  CHECK(c.decrypt.keys[0].password_file == std::filesystem::path("/etc/tlsring/keys/tserver.pass"));
  CHECK_FALSE(c.decrypt.keys[0].password_env.has_value());
  CHECK_FALSE(c.decrypt.keys[1].server.has_value());
  CHECK(c.decrypt.keys[1].file == "/etc/tlsring/keys/other.pem");
  CHECK_FALSE(c.decrypt.keys[1].password_file.has_value());
  CHECK(c.decrypt.keylogs.empty());
  CHECK(c.decrypt.transcripts);
  CHECK(c.decrypt.payload);
  CHECK(c.decrypt.keep_raw);
  CHECK(c.logging.level == LoggingConfig::Level::info);
  CHECK(c.logging.target == LoggingConfig::Target::console);
  CHECK(c.logging.file == "/var/log/tlsring/tlsring.log");
  CHECK(c.logging.max_file_size == 10'485'760u);
  CHECK(c.logging.max_files == 5u);
}

TEST_CASE("example files: tlsring.yaml shows every key") {
  const std::string text = read_text(kConfigDir / "tlsring.yaml");
  for (const char* key :
       {"capture:", "interfaces:", "filter:", "snaplen:", "buffer_size:", "promiscuous:", "rotation:", "every:",
        "max_file_size:", "keep_files:", "max_total_size:", "min_free_space:", "stop_after:", "output:",
        "directory:", "format:", "decrypt:", "workers:", "keys:", "server:", "file:", "thumbprint:",
        "certificate_store:", "password_file:", "password_env:", "keylogs:", "transcripts:", "payload:",
        "keep_raw:", "logging:", "level:", "target:", "max_files:"}) {
    INFO(key);
    CHECK_THAT(text, Catch::Contains(key));
  }
}

TEST_CASE("example files: demo.yaml") {
  const auto result = load_config(kConfigDir / "demo.yaml");
  if (!result.ok()) FAIL(result.error().message);
  const ServiceConfig& c = result.value();
  CHECK(c.capture.interfaces == std::vector<std::string>{"lo"});
  CHECK(c.capture.filter == "tcp port 3000");
  CHECK(c.rotation.every_ns == 5 * kSecond);
  CHECK(c.stop_after_ns == 30 * kSecond);
  CHECK(c.output.directory == kConfigDir / "demo-output");
  CHECK(c.output.format == tlsring::capture::CaptureFormat::pcapng);
  CHECK(c.decrypt.workers == 2u);
  REQUIRE(c.decrypt.keys.size() == 1);
  CHECK_FALSE(c.decrypt.keys[0].server.has_value());
  CHECK(c.decrypt.keys[0].file == kConfigDir / "demo-server.key.pem");
  CHECK(c.decrypt.keep_raw);
  CHECK(c.logging.level == LoggingConfig::Level::info);
  CHECK(c.logging.target == LoggingConfig::Target::console);
}
