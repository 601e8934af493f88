// `tlsring run` when the kernel drops packets: the service is stopped
// (SIGSTOP) with a 1 MiB capture buffer, frames to port 3000 fill that buffer,
// and the long TLS connection goes on sending while nothing can be captured;
// then the service goes on (SIGCONT). Real drops, counted by the kernel, on
// the real loopback interface. Needs root; skipped by name otherwise.
#include <catch2/catch.hpp>
#include <signal.h>

#include <cstdlib>
#include <map>
#include <thread>

#include "tests/service/frame_sender.h"
#include "tests/service/live_traffic.h"
#include "tests/service/service_harness.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

TEST_CASE("packets the kernel drops: the log and the summary tell when and how many, and the gap's reason names it") {
  require_root_or_skip();
  ServiceConfigText text;
  text.buffer_size = "1MiB";
  // No rotation in the run (the files handed on in an episode are in capture_drops_test.cpp):
  // the gap is then in the file handed on at the stop, after the counters' last look.
  text.rotation_every = "1h";
  text.stop_after = "12s";
  const ServiceTestDir dir("drops", text);
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(dir.out(), 5s));

  int flooded = 0;
  bool status_told = false;
  TrafficOptions options;
  options.duration = 7000ms;
  options.interval = 250ms;  // the long connection sends while the service is stopped
  options.short_connections = 4;
  options.before_short_connection = [&](unsigned i) {
    if (i != 1) return;
    service.signal(SIGSTOP);
    // Far more than a 1 MiB buffer holds: what comes next is dropped.
    flooded = send_tcp_frames("lo", 20000, 1000);
    std::this_thread::sleep_for(1500ms);
    service.signal(SIGCONT);
    // While the episode goes on (until the look after the one that finds the
    // drops, 2 s later), the status file says so.
    for (int wait = 0; wait < 80 && !status_told; ++wait) {
      const std::string status = read_text(dir.out() / "status.json");
      status_told = status.find("\"last_error\": \"the capture is dropping packets: ") != std::string::npos;
      std::this_thread::sleep_for(50ms);
    }
  };
  auto traffic = run_traffic(dir.keys(), options);
  REQUIRE(traffic.ok());
  CHECK(flooded == 20000);
  CHECK(status_told);

  const auto exit_status = service.wait(30s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
  // Told once when it starts and once when it ends, not at every look.
  CHECK(count_lines_with(log, "the capture is dropping packets: ") == 1);
  CHECK(count_lines_with(log, ") the capture dropped ") == 1);

  const auto run = only_run_directory(dir.out());
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("capture: between ") != std::string::npos);
  CHECK(summary.find("by the kernel (its capture buffer was full") != std::string::npos);
  CHECK(summary.find("what to do: raise capture.buffer_size") != std::string::npos);

  // The long connection (the one with the most messages) lost bytes then, and says why.
  std::map<std::uint16_t, std::size_t> messages_by_port;
  for (const SentMessage& m : traffic->messages) ++messages_by_port[m.client_port];
  std::uint16_t long_port = 0;
  for (const auto& [port, count] : messages_by_port) {
    if (long_port == 0 || count > messages_by_port[long_port]) long_port = port;
  }
  const std::string long_line = connection_line(read_text(run / "report.jsonl"), long_port);
  INFO(long_line);
  REQUIRE(!long_line.empty());
  CHECK(long_line.find("\"verdict\":\"partially_decrypted\"") != std::string::npos);
  CHECK(long_line.find("bytes not captured: the capture dropped ") != std::string::npos);
  CHECK(long_line.find("\"fix\":\"raise capture.buffer_size") != std::string::npos);

  // Later, `tlsring decrypt` of the ring's files knows of the drops only from
  // the statistics the service wrote at the end of each file, and says so.
  const RingListing ring = list_ring(dir.out());
  REQUIRE(!ring.completed.empty());
  std::string command = std::string(TLSRING_BINARY) + " decrypt";
  for (const auto& file : ring.completed) command += " " + file.string();
  command += " --key " + (dir.keys() / "server.key.pem").string() + " -o " + (dir.path() / "offline").string() +
             " > " + (dir.path() / "offline.txt").string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string offline = read_text(dir.path() / "offline.txt");
  INFO(offline);
  CHECK(offline.find("by the interface statistics at the file's end; a connection with a gap in that time may "
                     "have lost its bytes there") != std::string::npos);
  const std::string offline_line = connection_line(read_text(dir.path() / "offline" / "sessions.jsonl"), long_port);
  INFO(offline_line);
  CHECK(offline_line.find("\"verdict\":\"partially_decrypted\"") != std::string::npos);
  CHECK(offline_line.find("records that the capture dropped ") != std::string::npos);
  CHECK(offline_line.find("(its interface statistics)") != std::string::npos);
  CHECK(offline_line.find("\"fix\":\"capture with a larger capture buffer") != std::string::npos);
}
