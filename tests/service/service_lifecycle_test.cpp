// `tlsring run` over its life: the ring kept within its limits over many
// rotations, a crash (SIGKILL) and the restart that recovers and decrypts the
// file it left, a key reload on SIGHUP, a stop on SIGTERM, and a bad
// configuration refused with its position. Needs root (skipped otherwise).
#include <catch2/catch.hpp>
#include <signal.h>

#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include "tests/gen/credentials.h"
#include "tests/service/live_traffic.h"
#include "tests/service/service_harness.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

namespace {

bool contains_all(const std::string& haystack, const std::vector<std::string>& needles) {
  for (const auto& n : needles) {
    if (haystack.find(n) == std::string::npos) return false;
  }
  return true;
}

std::vector<std::string> texts(const TrafficResult& traffic, bool to_server) {
  std::vector<std::string> out;
  for (const auto& m : traffic.messages) {
    if (m.to_server == to_server) out.push_back(m.text);
  }
  return out;
}

std::string all_streams(const DecryptedStreams& streams, bool c2s) {
  std::string all;
  for (const auto& [port, bytes] : c2s ? streams.c2s : streams.s2c) all += bytes;
  return all;
}

}  // namespace

TEST_CASE("the ring keeps keep_files over many rotations and deletes only decrypted files") {
  require_root_or_skip();
  ServiceConfigText config_text;
  config_text.rotation_every = "1s";
  config_text.stop_after = "9s";
  config_text.extra_rotation = "  keep_files: 3\n";
  const ServiceTestDir dir("ring", config_text);
  const auto out = dir.out();
  TrafficOptions options;
  options.duration = 6000ms;
  options.short_connections = 4;
  const ServedTraffic served = serve_traffic(dir, options);
  const std::string& log = served.log;
  INFO(log);

  const RingListing ring = list_ring(out);
  CHECK(ring.parts.empty());
  CHECK(ring.completed.size() <= 3);
  // About nine files were written; the rest were deleted, each after its decryption.
  const std::string status = read_text(out / "status.json");
  std::smatch written, deleted;
  REQUIRE(std::regex_search(status, written, std::regex("\"files_written\": ([0-9]+)")));
  REQUIRE(std::regex_search(status, deleted, std::regex("\"files_deleted\": ([0-9]+)")));
  CHECK(std::stoi(written[1]) >= 8);
  CHECK(std::stoi(deleted[1]) == std::stoi(written[1]) - static_cast<int>(ring.completed.size()));
  CHECK(status.find("\"files_deleted_undecrypted\": 0") != std::string::npos);
  CHECK(count_lines_with(log, "(keep_files)") == static_cast<std::size_t>(std::stoi(deleted[1])));
  // Deleting raw files loses nothing decrypted.
  const DecryptedStreams streams = read_decrypted_streams({only_run_directory(out)});
  CHECK(contains_all(all_streams(streams, true), texts(served.traffic, true)));
  CHECK(contains_all(all_streams(streams, false), texts(served.traffic, false)));
}

TEST_CASE("after a SIGKILL the restarted service recovers the .part file and decrypts it") {
  require_root_or_skip();
  ServiceConfigText config_text;
  config_text.rotation_every = "1h";  // the file stays open until the crash
  config_text.stop_after = "1h";
  ServiceTestDir dir("crash", config_text);
  const auto out = dir.out();
  TrafficResult traffic;
  {
    ServiceProcess service(dir.config(), dir.path() / "service1.log");
    REQUIRE(wait_until_capturing(out, 5s));
    TrafficOptions options;
    options.duration = 2000ms;
    options.short_connections = 2;
    auto sent = run_traffic(dir.keys(), options);
    REQUIRE(sent.ok());
    traffic = *sent;
    std::this_thread::sleep_for(1500ms);  // the service hands written data to the OS every second
    service.signal(SIGKILL);
    REQUIRE(service.wait(5s).has_value());
  }
  const RingListing before = list_ring(out);
  REQUIRE(before.parts.size() == 1);
  REQUIRE(before.completed.empty());

  config_text.stop_after = "2s";
  dir.write_config(config_text);
  ServiceProcess restarted(dir.config(), dir.path() / "service2.log");
  const auto exit_status = restarted.wait(30s);
  const std::string log = read_text(dir.path() / "service2.log");
  INFO(log);
  REQUIRE(exit_status == std::optional<int>(0));
  CHECK(log.find("recovered tlsring-000001-") != std::string::npos);
  const RingListing after = list_ring(out);
  CHECK(after.parts.empty());
  REQUIRE(after.completed.size() == 2);  // the recovered file and the restart's own
  CHECK(count_packets_with_libpcap(after.completed[0]) > 0);
  // The second run decrypted the recovered file: every message is there.
  const auto runs = run_directories(out);
  REQUIRE(runs.size() == 2);
  const DecryptedStreams streams = read_decrypted_streams({runs[1]});
  CHECK(contains_all(all_streams(streams, true), texts(traffic, true)));
  CHECK(contains_all(all_streams(streams, false), texts(traffic, false)));
}

TEST_CASE("a session resumed after a restart decrypts with the master secret the run before recovered") {
  require_root_or_skip();
  // By session ID (run 1's keys.log), and by ticket (run 1's session-tickets.log).
  const bool by_ticket = GENERATE(false, true);
  INFO((by_ticket ? "resumed by ticket" : "resumed by session ID"));
  ServiceConfigText config_text;
  config_text.rotation_every = "1s";
  config_text.stop_after = "1h";
  const ServiceTestDir dir("restart", config_text);
  const auto out = dir.out();
  const auto config = dir.config();
  std::optional<ServiceProcess> first;
  std::optional<ServiceProcess> second;
  first.emplace(config, dir.path() / "service1.log");
  REQUIRE(wait_until_capturing(out, 5s));
  // Short connection 0 makes a full handshake; before connection 1 resumes
  // its session, the service is stopped and started again: the resumption
  // carries no key exchange, so only run 1's keys.log can decrypt it.
  std::optional<int> first_exit;
  bool second_capturing = false;
  TrafficOptions options;
  options.duration = 3000ms;
  options.short_connections = 2;
  options.session_tickets = by_ticket;
  options.before_short_connection = [&](unsigned i) {
    if (i != 1) return;
    std::this_thread::sleep_for(1500ms);  // connection 0's file rotates
    first->signal(SIGTERM);
    first_exit = first->wait(20s);
    second.emplace(config, dir.path() / "service2.log");
    second_capturing = wait_until_capturing(out, 5s);
  };
  auto traffic = run_traffic(dir.keys(), options);
  REQUIRE(traffic.ok());
  REQUIRE(second.has_value());
  std::this_thread::sleep_for(1500ms);
  second->signal(SIGTERM);
  const auto second_exit = second->wait(20s);
  const std::string log1 = read_text(dir.path() / "service1.log");
  const std::string log2 = read_text(dir.path() / "service2.log");
  INFO(log1);
  INFO(log2);
  REQUIRE(first_exit == std::optional<int>(0));
  REQUIRE(second_capturing);
  REQUIRE(second_exit == std::optional<int>(0));
  REQUIRE(traffic->resumed == 1);

  // The resumed connection is the one whose messages say "short1-resumed".
  std::uint16_t resumed_port = 0;
  for (const auto& m : traffic->messages) {
    if (m.to_server && m.text.find("short1-resumed") != std::string::npos) resumed_port = m.client_port;
  }
  REQUIRE(resumed_port != 0);
  const auto runs = run_directories(out);
  REQUIRE(runs.size() == 2);
  // A server that gives tickets gives no session ID (OpenSSL): keys.log then has no Session-ID line.
  CHECK((read_text(runs[0] / "keys.log").find("RSA Session-ID:") != std::string::npos) == !by_ticket);
  CHECK((read_text(runs[0] / "session-tickets.log").find("TLSRING_SESSION_TICKET ") != std::string::npos) ==
        by_ticket);
  const std::string resumed_line = connection_line(read_text(runs[1] / "report.jsonl"), resumed_port);
  INFO(resumed_line);
  CHECK(resumed_line.find(by_ticket ? "\"resumed\":\"ticket\"" : "\"resumed\":\"session_id\"") !=
        std::string::npos);
  CHECK(resumed_line.find("\"verdict\":\"decrypted\"") != std::string::npos);
  // Every message of the resumed connection is in run 2's decrypted bytes.
  const DecryptedStreams streams = read_decrypted_streams({runs[1]});
  std::size_t messages = 0;
  for (const auto& m : traffic->messages) {
    if (m.client_port != resumed_port) continue;
    ++messages;
    const auto& direction = m.to_server ? streams.c2s : streams.s2c;
    const auto found = direction.find(resumed_port);
    REQUIRE(found != direction.end());
    CHECK(found->second.find(m.text) != std::string::npos);
  }
  CHECK(messages == 2 * options.messages_per_connection);
}

TEST_CASE("SIGHUP reloads the keys (a key replaced on disk decrypts the sessions after it) and SIGTERM stops") {
  require_root_or_skip();
  ServiceConfigText config_text;
  config_text.rotation_every = "1s";
  config_text.stop_after = "1h";
  config_text.keys_yaml = "    - server: 127.0.0.1:3000\n      file: configured.key.pem\n";
  const ServiceTestDir dir("reload", config_text);
  // The configured key file first holds another server's key.
  auto other = tlsring::testgen::ServerCredentials::generate("other.tlsring.test");
  REQUIRE(other.ok());
  REQUIRE(other->write_key_pem(dir.path() / "configured.key.pem").ok());
  const auto out = dir.out();
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));
  TrafficOptions options;
  options.duration = 1500ms;
  options.short_connections = 1;
  auto before = run_traffic(dir.keys(), options);
  REQUIRE(before.ok());
  std::this_thread::sleep_for(2500ms);  // rotated and decrypted with the wrong key
  std::filesystem::copy_file(dir.keys() / "server.key.pem", dir.path() / "configured.key.pem",
                             std::filesystem::copy_options::overwrite_existing);
  service.signal(SIGHUP);
  std::this_thread::sleep_for(1000ms);
  auto after = run_traffic(dir.keys(), options);
  REQUIRE(after.ok());
  std::this_thread::sleep_for(2500ms);
  const auto stop_started = std::chrono::steady_clock::now();
  service.signal(SIGTERM);
  const auto exit_status = service.wait(20s);
  const auto stop_took = std::chrono::steady_clock::now() - stop_started;
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status == std::optional<int>(0));
  CHECK(stop_took < 10s);
  CHECK(log.find("keys reloaded") != std::string::npos);

  const std::string report = read_text(only_run_directory(out) / "report.jsonl");
  std::set<std::uint16_t> before_ports, after_ports;
  for (const auto& m : before->messages) before_ports.insert(m.client_port);
  for (const auto& m : after->messages) after_ports.insert(m.client_port);
  std::istringstream in(report);
  std::size_t mismatched = 0, decrypted = 0;
  for (std::string line; std::getline(in, line);) {
    for (auto port : before_ports) {
      if (is_connection_from(line, port)) {
        mismatched += line.find("\"verdict\":\"key_mismatch\"") != std::string::npos;
      }
    }
    for (auto port : after_ports) {
      if (is_connection_from(line, port)) {
        decrypted += line.find("\"verdict\":\"decrypted\"") != std::string::npos;
      }
    }
  }
  CHECK(mismatched == before_ports.size());
  CHECK(decrypted == after_ports.size());
}

TEST_CASE("a configuration error stops `tlsring run` at once with file, line and column") {
  // No capture is opened before the configuration is read: no root needed.
  TempDir dir("badconfig");
  const auto config = dir.path() / "tlsring.yaml";
  std::ofstream(config) << "capture:\n  interfaces: [lo]\nrotation:\n  evrey: 2s\n";
  ServiceProcess service(config, dir.path() / "service.log");
  const auto exit_status = service.wait(10s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status == std::optional<int>(2));
  CHECK(log.find("tlsring.yaml:4:3") != std::string::npos);
  CHECK(log.find("evrey") != std::string::npos);
}

TEST_CASE("started as root with `user: nobody`, the service drops to nobody with no capabilities and still works") {
  require_root_or_skip();
  ServiceConfigText config_text;
  config_text.stop_after = "6s";
  const ServiceTestDir dir("user", config_text);
  std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                               std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                               std::filesystem::perms::others_exec);
  std::ofstream(dir.config(), std::ios::app) << "user: nobody\n";
  const auto out = dir.out();
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));
  const std::string proc_status = read_text("/proc/" + std::to_string(service.pid()) + "/status");
  CHECK(proc_status.find("Uid:\t65534\t65534\t65534\t65534") != std::string::npos);
  CHECK(proc_status.find("CapEff:\t0000000000000000") != std::string::npos);
  CHECK(proc_status.find("CapPrm:\t0000000000000000") != std::string::npos);
  TrafficOptions options;
  options.duration = 2000ms;
  options.short_connections = 2;
  auto traffic = run_traffic(dir.keys(), options);
  REQUIRE(traffic.ok());
  const auto exit_status = service.wait(20s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status == std::optional<int>(0));
  CHECK(log.find("running as user nobody") != std::string::npos);
  const DecryptedStreams streams = read_decrypted_streams({only_run_directory(out)});
  CHECK(contains_all(all_streams(streams, true), texts(*traffic, true)));
  CHECK(contains_all(all_streams(streams, false), texts(*traffic, false)));
}
