// `tlsring run` when the disk of its capture files fills up under it (another
// process, with min_free_space off): a 4 MiB tmpfs mounted on the capture
// folder, filled to the last byte for a few seconds while real TLS traffic
// flows on lo, then emptied. Needs root (mount, live capture); skipped by name
// otherwise.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <future>
#include <sstream>
#include <regex>
#include <vector>

#include "tests/service/live_traffic.h"
#include "tests/service/service_harness.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

namespace {

// A small tmpfs on `path` for the test's lifetime.
class SmallDisk {
 public:
  explicit SmallDisk(const std::filesystem::path& path) : path_(path) {
    std::filesystem::create_directories(path);
    REQUIRE(::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=4m,mode=0700") == 0);
  }
  ~SmallDisk() { ::umount2(path_.c_str(), MNT_DETACH); }

  // Writes `name` until the disk has no byte left; returns the bytes written.
  std::uint64_t fill(const std::string& name) const {
    const int fd = ::open((path_ / name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    std::vector<char> block(4096, 'x');
    std::uint64_t written = 0;
    for (;;) {
      const ssize_t n = ::write(fd, block.data(), block.size());
      if (n <= 0) break;
      written += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    return written;
  }

 private:
  std::filesystem::path path_;
};

std::uint64_t json_number(const std::string& json, const std::string& key) {
  std::smatch match;
  const std::regex pattern("\"" + key + "\": ([0-9]+)");
  REQUIRE(std::regex_search(json, match, pattern));
  return std::stoull(match[1].str());
}

}  // namespace

TEST_CASE("a disk that fills up: the capture files keep every whole packet and the report says what was lost") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "1s";
  text.stop_after = "12s";
  text.min_free_space = "0B";  // nothing keeps space free: the disk does fill up
  const ServiceTestDir dir("disk-full", text);
  const auto out = dir.out();
  const SmallDisk disk(out / "capture");  // the results (runs/) stay on the big disk

  ParallelCapture parallel("lo", "tcp port 3000");
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));

  TrafficOptions options;
  options.duration = 9000ms;
  options.interval = 100ms;
  options.short_connections = 8;
  auto traffic = std::async(std::launch::async, [&] { return run_traffic(dir.keys(), options); });
  std::this_thread::sleep_for(2500ms);
  const std::uint64_t filled = disk.fill("filler");
  CHECK(filled > 0);
  std::this_thread::sleep_for(3000ms);
  std::filesystem::remove(out / "capture" / "filler");
  REQUIRE(traffic.get().ok());

  const auto exit_status = service.wait(30s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);  // the results were all written: the capture's loss is reported, not a failure
  const std::uint64_t parallel_packets = parallel.stop();
  REQUIRE(parallel.kernel_drops() == 0);

  // No .part is left; every file is whole and readable by libpcap.
  const RingListing ring = list_ring(out);
  CHECK(ring.parts.empty());
  const std::int64_t ring_packets = count_packets_in_files(ring.completed);

  // Every packet is in a file or counted as not written: none vanished.
  const std::string status = read_text(out / "status.json");
  const std::uint64_t not_written = json_number(status, "not_written");
  CHECK(not_written > 0);
  CHECK(json_number(status, "packets") == static_cast<std::uint64_t>(ring_packets));
  CHECK(static_cast<std::uint64_t>(ring_packets) + not_written == parallel_packets);

  // Said once when it began and once when it ended, not at every retry.
  CHECK(log.find("No space left on device") != std::string::npos);
  CHECK(log.find("capture files are written again") != std::string::npos);
  CHECK(count_lines_with(log, "no capture file is written until this clears") == 1);

  // The run's summary says when, why and how many, and what to do.
  const auto run = only_run_directory(out);
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("capture: from ") != std::string::npos);
  CHECK(summary.find("no capture file could be written") != std::string::npos);
  CHECK(summary.find("No space left on device") != std::string::npos);
  CHECK(summary.find(std::to_string(not_written) + " not written") != std::string::npos);
  CHECK(summary.find("keep the disk of output.directory writable") != std::string::npos);
  CHECK(summary.find("results: some could not be written") == std::string::npos);

  // A connection with a gap in that time, or resuming a session whose full
  // handshake was then, says why and what to do; none blames the capture buffer.
  const std::string report = read_text(run / "report.jsonl");
  std::istringstream lines(report);
  std::size_t explained = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(line.find("reduce packet loss") == std::string::npos);
    // Captured from before the traffic began: a session can only be unknown for the outage.
    if (line.find("\"verdict\":\"resumed_session_unknown\"") != std::string::npos) {
      CHECK(line.find("tlsring could not write its capture files from ") != std::string::npos);
    }
    if (line.find("gap(s) in the TCP stream") == std::string::npos) continue;
    CHECK(line.find("tlsring could not write its capture files from ") != std::string::npos);
    CHECK(line.find("\"fix\":\"keep the disk of output.directory writable") != std::string::npos);
    ++explained;
  }
  CHECK(explained >= 1);  // the long connection goes on through the outage
}
