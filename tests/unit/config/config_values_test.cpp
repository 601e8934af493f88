// parse_config: values read, defaults where keys are absent, relative paths
// resolved against the config file's directory.
#include <catch2/catch.hpp>

#include <string>

#include "config/config_loader.h"

using namespace tlsring::config;
using tlsring::capture::CaptureFormat;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

ServiceConfig parse_ok(const std::string& yaml, const std::filesystem::path& source = "/etc/tlsring/tlsring.yaml") {
  auto result = parse_config(yaml, source);
  if (!result.ok()) FAIL(result.error().message);
  return std::move(result).value();
}

void check_all_defaults(const ServiceConfig& c) {
  CHECK(c.capture.interfaces == std::vector<std::string>{"any"});
  CHECK(c.capture.filter == "tcp port 3000");
  CHECK(c.capture.snaplen == 262144u);
  CHECK(c.capture.buffer_size == 16'777'216u);
  CHECK_FALSE(c.capture.promiscuous);
  CHECK(c.rotation.every_ns == 3600 * kSecond);
  CHECK_FALSE(c.rotation.max_file_size.has_value());
  CHECK_FALSE(c.rotation.keep_files.has_value());
  CHECK_FALSE(c.rotation.max_total_size.has_value());
  CHECK(c.rotation.min_free_space == 1'073'741'824u);
  CHECK_FALSE(c.stop_after_ns.has_value());
  CHECK_FALSE(c.user.has_value());
  CHECK(c.output.directory == "/var/lib/tlsring");
  CHECK(c.output.format == CaptureFormat::pcapng);
  CHECK(c.decrypt.workers == 1u);
  CHECK(c.decrypt.keys.empty());
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

}  // namespace

TEST_CASE("config values: an empty file gives every default") {
  check_all_defaults(parse_ok(""));
  check_all_defaults(parse_ok("# nothing but a comment\n\n"));
  check_all_defaults(parse_ok("{}\n"));
}

TEST_CASE("config values: sections whose keys are all commented out give the defaults") {
  const ServiceConfig c = parse_ok(
      "capture:\n"
      "#  interfaces: [eth0]\n"
      "rotation:\n"
      "output:\n"
      "decrypt:\n"
      "  keys:\n"
      "  keylogs:\n"
      "logging:\n");
  check_all_defaults(c);
  CHECK(c.source == "/etc/tlsring/tlsring.yaml");
}

TEST_CASE("config values: every key read") {
  const ServiceConfig c = parse_ok(
      "capture:\n"
      "  interfaces: [eth0, eth1]\n"
      "  filter: \"tcp port 3000 or tcp port 3020\"\n"
      "  snaplen: 65535\n"
      "  buffer_size: 128MiB\n"
      "  promiscuous: true\n"
      "rotation:\n"
      "  every: 15m\n"
      "  max_file_size: 500MB\n"
      "  keep_files: 96\n"
      "  max_total_size: 1TiB\n"
      "  min_free_space: 0B\n"
      "stop_after: 2d12h\n"
      "output:\n"
      "  directory: /srv/captures\n"
      "  format: pcap-nano\n"
      "decrypt:\n"
      "  workers: 64\n"
      "  keys:\n"
      "    - server: 10.0.0.5:3000\n"
      "      file: /etc/tlsring/keys/tserver.pfx\n"
      "      password_file: /etc/tlsring/keys/tserver.pass\n"
      "    - server: \"[2001:db8::5]:3020\"\n"
      "      file: /etc/tlsring/keys/v6.pem\n"
      "      password_env: TLSRING_V6_PASS\n"
      "    - file: /etc/tlsring/keys/other.pem\n"
      "  keylogs: [/var/lib/tlsring/a.keys, /var/lib/tlsring/b.keys]\n"
      "  transcripts: false\n"
      "  payload: FALSE\n"
      "  keep_raw: False\n"
      "logging:\n"
      "  level: debug\n"
      "  target: file\n"
      "  file: /var/log/tlsring/service.log\n"
      "  max_file_size: 1MiB\n"
      "  max_files: 1000\n"
      "user: tlsring\n");
  CHECK(c.capture.interfaces == std::vector<std::string>{"eth0", "eth1"});
  CHECK(c.capture.filter == "tcp port 3000 or tcp port 3020");
  CHECK(c.capture.snaplen == 65535u);
  CHECK(c.capture.buffer_size == 134'217'728u);
  CHECK(c.capture.promiscuous);
  CHECK(c.rotation.every_ns == 900 * kSecond);
  CHECK(c.rotation.max_file_size == 500'000'000u);
  CHECK(c.rotation.keep_files == 96u);
  CHECK(c.rotation.max_total_size == 1'099'511'627'776u);
  CHECK(c.rotation.min_free_space == 0u);
  REQUIRE(c.stop_after_ns.has_value());
  CHECK(*c.stop_after_ns == 216'000 * kSecond);
  CHECK(c.user == std::optional<std::string>("tlsring"));
  CHECK(c.output.directory == "/srv/captures");
  CHECK(c.output.format == CaptureFormat::pcap_nano);
  CHECK(c.decrypt.workers == 64u);
  REQUIRE(c.decrypt.keys.size() == 3);
  const KeyConfig& k0 = c.decrypt.keys[0];
  CHECK(k0.server == "10.0.0.5:3000");
  CHECK(k0.file == "/etc/tlsring/keys/tserver.pfx");
  CHECK(k0.password_file == std::filesystem::path("/etc/tlsring/keys/tserver.pass"));
  CHECK_FALSE(k0.password_env.has_value());
  CHECK(k0.where.to_string() == "/etc/tlsring/tlsring.yaml:20:7");
  const KeyConfig& k1 = c.decrypt.keys[1];
  CHECK(k1.server == "[2001:db8::5]:3020");
  CHECK(k1.file == "/etc/tlsring/keys/v6.pem");
  CHECK_FALSE(k1.password_file.has_value());
  CHECK(k1.password_env == "TLSRING_V6_PASS");
  CHECK(k1.where.to_string() == "/etc/tlsring/tlsring.yaml:23:7");
  const KeyConfig& k2 = c.decrypt.keys[2];
  CHECK_FALSE(k2.server.has_value());
  CHECK(k2.file == "/etc/tlsring/keys/other.pem");
  CHECK(k2.where.line == 26);
  CHECK(k2.where.column == 7);
  CHECK(c.decrypt.keylogs ==
        std::vector<std::filesystem::path>{"/var/lib/tlsring/a.keys", "/var/lib/tlsring/b.keys"});
  CHECK_FALSE(c.decrypt.transcripts);
  CHECK_FALSE(c.decrypt.payload);
  CHECK_FALSE(c.decrypt.keep_raw);
  CHECK(c.logging.level == LoggingConfig::Level::debug);
  CHECK(c.logging.target == LoggingConfig::Target::file);
  CHECK(c.logging.file == "/var/log/tlsring/service.log");
  CHECK(c.logging.max_file_size == 1'048'576u);
  CHECK(c.logging.max_files == 1000u);
}

TEST_CASE("config values: the other format, level and target names") {
  CHECK(parse_ok("output:\n  format: pcap\n").output.format == CaptureFormat::pcap_micro);
  CHECK(parse_ok("output:\n  format: pcapng\n").output.format == CaptureFormat::pcapng);
  CHECK(parse_ok("logging:\n  level: trace\n").logging.level == LoggingConfig::Level::trace);
  CHECK(parse_ok("logging:\n  level: warn\n").logging.level == LoggingConfig::Level::warn);
  CHECK(parse_ok("logging:\n  level: error\n").logging.level == LoggingConfig::Level::error);
  CHECK(parse_ok("logging:\n  target: journal\n").logging.target == LoggingConfig::Target::journal);
  CHECK(level_name(LoggingConfig::Level::warn) == "warn");
  CHECK(target_name(LoggingConfig::Target::journal) == "journal");
}

TEST_CASE("config values: range limits are inclusive") {
  CHECK(parse_ok("capture:\n  snaplen: 1\n").capture.snaplen == 1u);
  CHECK(parse_ok("capture:\n  snaplen: 262144\n").capture.snaplen == 262144u);
  CHECK(parse_ok("decrypt:\n  workers: 1\n").decrypt.workers == 1u);
  CHECK(parse_ok("capture:\n  buffer_size: 1MiB\n").capture.buffer_size == 1'048'576u);
  CHECK(parse_ok("capture:\n  buffer_size: 2047MiB\n").capture.buffer_size == 2'146'435'072u);
  CHECK(parse_ok("rotation:\n  every: 1s\n").rotation.every_ns == kSecond);
  CHECK(parse_ok("rotation:\n  max_file_size: 1GiB\n  max_total_size: 1GiB\n").rotation.max_total_size ==
        1'073'741'824u);
}

TEST_CASE("config values: relative paths resolve against the config file's directory") {
  const std::string yaml =
      "output:\n"
      "  directory: captures\n"
      "decrypt:\n"
      "  keys:\n"
      "    - file: keys/tserver.pfx\n"
      "      password_file: ./keys/../secret/tserver.pass\n"
      "    - file: /abs/other.pem\n"
      "  keylogs: [../shared/keys.log, /abs/keys.log]\n"
      "logging:\n"
      "  file: log/tlsring.log\n";
  {
    const ServiceConfig c = parse_ok(yaml, "/etc/tlsring/tlsring.yaml");
    CHECK(c.output.directory == "/etc/tlsring/captures");
    REQUIRE(c.decrypt.keys.size() == 2);
    CHECK(c.decrypt.keys[0].file == "/etc/tlsring/keys/tserver.pfx");
    CHECK(c.decrypt.keys[0].password_file == std::filesystem::path("/etc/tlsring/secret/tserver.pass"));
    CHECK(c.decrypt.keys[1].file == "/abs/other.pem");
    CHECK(c.decrypt.keylogs == std::vector<std::filesystem::path>{"/etc/shared/keys.log", "/abs/keys.log"});
    CHECK(c.logging.file == "/etc/tlsring/log/tlsring.log");
  }
  {
    // A relative config file name: paths stay relative, to the same directory.
    const ServiceConfig c = parse_ok(yaml, "conf/tlsring.yaml");
    CHECK(c.output.directory == "conf/captures");
    CHECK(c.decrypt.keys[0].file == "conf/keys/tserver.pfx");
    CHECK(c.decrypt.keylogs[0] == "shared/keys.log");
  }
  {
    // No directory at all: paths are kept as written.
    const ServiceConfig c = parse_ok(yaml, "tlsring.yaml");
    CHECK(c.output.directory == "captures");
    CHECK(c.decrypt.keys[0].file == "keys/tserver.pfx");
    CHECK(c.logging.file == "log/tlsring.log");
  }
}
