// `tlsring run` end to end on the loopback interface: the real service, real
// TLS clients and server on port 3000, a parallel libpcap capture to count
// against. Needs root (skipped by name otherwise).
#include <catch2/catch.hpp>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "tests/service/live_traffic.h"
#include "tests/service/service_harness.h"
#include "tests/support/skip.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

TEST_CASE("the service captures, rotates and decrypts T-Server traffic on lo until stop_after") {
  require_root_or_skip();
  const ServiceTestDir dir("run", ServiceConfigText{});  // rotation every 2 s, stop after 10 s, port 3000
  const auto out = dir.out();
  const auto config = dir.config();

  ParallelCapture parallel("lo", "tcp port 3000");
  ServiceProcess service(config, dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));

  TrafficOptions options;
  options.duration = 7000ms;   // the long connection spans about four files
  options.interval = 350ms;
  options.short_connections = 6;  // three resumed by session ID
  auto traffic = run_traffic(dir.keys(), options);
  REQUIRE(traffic.ok());
  CHECK(traffic->resumed == 3);

  const auto exit_status = service.wait(30s);
  INFO(read_text(dir.path() / "service.log"));
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
  const std::uint64_t parallel_packets = parallel.stop();
  REQUIRE(parallel.kernel_drops() == 0);

  // Every file is complete and readable by libpcap; together they hold
  // exactly the packets the parallel capture saw.
  const RingListing ring = list_ring(out);
  CHECK(ring.parts.empty());
  CHECK(ring.completed.size() >= 4);
  CHECK(count_packets_in_files(ring.completed) == static_cast<std::int64_t>(parallel_packets));

  // Every message sent, in both directions, appears decrypted.
  const auto run = only_run_directory(out);
  REQUIRE(!run.empty());
  require_every_message_decrypted(*traffic, read_decrypted_streams({run}));

  // The report has every connection decrypted, the resumed ones among them.
  const std::string report = read_text(run / "report.jsonl");
  std::size_t lines = 0, decrypted = 0, resumed = 0;
  std::istringstream in(report);
  for (std::string line; std::getline(in, line);) {
    ++lines;
    if (line.find("\"verdict\":\"decrypted\"") != std::string::npos) ++decrypted;
    if (line.find("\"resumed\":\"session_id\"") != std::string::npos) ++resumed;
  }
  CHECK(lines == traffic->connections);
  CHECK(decrypted == traffic->connections);
  CHECK(resumed == 3);
  CHECK(read_text(out / "status.json").find("\"state\": \"stopped\"") != std::string::npos);
}

// The system clock set forward by 2 hours, then back, while the service runs
// (libfaketime moves the clock the service reads; the kernel's packet times
// stay as they are). stop_after counts the time that really passed: before,
// the forward step ended the capture at once, and the step back would have
// stretched it by 2 hours. Both steps are logged and in the summary, and the
// step back ends the capture file being written.
TEST_CASE("the service stops after stop_after of real time when the system clock is set forward and back") {
  require_root_or_skip();
  const std::string faketime = TLSRING_LIBFAKETIME;
  if (faketime.empty() || !std::filesystem::exists(faketime)) {
    tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                "libfaketime is not installed (packaging/dev.sh installs it): this test was NOT run");
  }
  ServiceConfigText text;  // rotation every 2 s, stop after 10 s, port 3000
  const ServiceTestDir dir("clock", text);
  const auto offset_file = dir.path() / "faketime";
  // Replaced whole (rename), so that libfaketime never reads a half-written file.
  const auto set_offset = [&](const char* offset) {
    const auto next = dir.path() / "faketime.next";
    std::ofstream(next) << offset << "\n";
    std::filesystem::rename(next, offset_file);
  };
  set_offset("+0");

  const auto started = std::chrono::steady_clock::now();
  ServiceProcess service(dir.config(), dir.path() / "service.log",
                         {"LD_PRELOAD=" + faketime, "FAKETIME_TIMESTAMP_FILE=" + offset_file.string(),
                          "FAKETIME_NO_CACHE=1", "FAKETIME_DONT_FAKE_MONOTONIC=1"});
  REQUIRE(wait_until_capturing(dir.out(), 5s));
  // Each step is seen by at least one status check (every 2 s) before the next.
  auto steps = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(1500ms);
    set_offset("+2h");
    std::this_thread::sleep_for(4000ms);
    set_offset("+0");
  });
  TrafficOptions options;
  options.duration = 7000ms;
  options.interval = 350ms;
  options.short_connections = 4;
  auto traffic = run_traffic(dir.keys(), options);
  steps.get();
  REQUIRE(traffic.ok());

  const auto exit_status = service.wait(30s);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
  CHECK(elapsed >= 10s);
  CHECK(count_lines_with(log, "stop_after reached (10s since the start)") == 1);
  CHECK(count_lines_with(log, "the system clock was set forward by 2h at about ") == 1);
  CHECK(count_lines_with(log, "the system clock was set back by 2h at about ") == 1);
  // The step back ended the file being written (named 2 h ahead), rather than
  // let it run until the clock reached its end again.
  CHECK(count_lines_with(log, "the system clock was set back: the current capture file ends now") == 1);

  const auto run = only_run_directory(dir.out());
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  CHECK(summary.find("the system clock was set forward by 2h") != std::string::npos);
  CHECK(summary.find("the system clock was set back by 2h") != std::string::npos);
  // The capture went on through both steps.
  const RingListing ring = list_ring(dir.out());
  CHECK(ring.parts.empty());
  REQUIRE(!ring.completed.empty());
  CHECK(count_packets_in_files(ring.completed) > 0);
  require_every_message_decrypted(*traffic, read_decrypted_streams({run}));
}

// ECDHE sessions (no RSA key can decrypt them) with a key log that the clients
// write as they make their handshakes (SSLKEYLOGFILE), all after the service
// started: the file does not exist yet at the start. The service reads the
// key log's new lines before each capture file, and decrypts every session.
TEST_CASE("the service follows a key log that the clients write during the run and decrypts their ECDHE sessions") {
  require_root_or_skip();
  ServiceConfigText text;
  ServiceTestDir dir("keylog", text);
  const std::filesystem::path key_log = dir.path() / "clients.keys";
  text.extra_decrypt = "  keylogs: [" + key_log.string() + "]\n";
  dir.write_config(text);
  TrafficOptions options;
  options.duration = 7000ms;   // the long connection spans about four files
  options.interval = 350ms;
  options.short_connections = 4;
  options.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
  options.client_key_log = key_log;
  const ServedTraffic served = serve_traffic(dir, options);
  INFO(served.log);
  CHECK(count_lines_with(served.log, "key log " + key_log.string() + " cannot be read yet (") == 1);
  CHECK(count_lines_with(served.log, "key log " + key_log.string() + " is there now: reading it") == 1);
  CHECK(count_lines_with(served.log, "key log line skipped") == 0);
  // Lines no longer needed were let go of during the run (a service follows
  // key logs for days), and still every session decrypted, the long
  // connection too, in the files after its line was let go of.
  CHECK(count_lines_with(served.log, "key-log secret(s) no longer needed let go of before") >= 1);

  const auto run = only_run_directory(dir.out());
  REQUIRE(!run.empty());
  require_every_message_decrypted(served.traffic, read_decrypted_streams({run}));
  const std::string report = read_text(run / "report.jsonl");
  INFO(report);
  CHECK(count_lines_with(report, "\"verdict\":\"decrypted\"") == served.traffic.connections);
  CHECK(count_lines_with(report, "\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_") == served.traffic.connections);
  CHECK(count_lines_with(report, "\"keys_from\":\"key log\"") >= 1);
  // The summary says what the key log gave: a secret per handshake the clients made.
  const std::string written = read_text(key_log);
  const auto handshakes = static_cast<std::size_t>(std::count(written.begin(), written.end(), '\n'));
  CHECK(handshakes == served.traffic.connections);
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("keys: key log " + key_log.string() + ": " + std::to_string(handshakes) + " secret(s) read") !=
        std::string::npos);
}
