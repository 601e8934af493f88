// `tlsring run` on a disk that runs short, with real TLS traffic on lo and a
// small tmpfs: when the disk of its capture files fills up under it (another
// process, with min_free_space off), and when min_free_space deletes capture
// files because the decrypted results beside them take the disk. Needs root
// (mount, live capture); skipped by name otherwise.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <sstream>
#include <regex>
#include <vector>

#include "tests/service/live_traffic.h"
#include "tests/service/service_harness.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

// A small tmpfs on `path` for the test's lifetime.
class SmallDisk {
 public:
  explicit SmallDisk(const std::filesystem::path& path, const std::string& size = "4m") : path_(path) {
    std::filesystem::create_directories(path);
    REQUIRE(::mount("tmpfs", path.c_str(), "tmpfs", 0, ("size=" + size + ",mode=0700").c_str()) == 0);
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

  // Fills the disk with `name` but for `free` bytes (whole pages); returns its path.
  std::filesystem::path fill_leaving(const std::string& name, std::uint64_t free) const {
    const std::uint64_t filled = fill(name);
    REQUIRE(filled > free);
    std::filesystem::resize_file(path_ / name, filled - free);
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

// The run directory of output_dir that is not `known` (the last, if several).
std::filesystem::path run_other_than(const std::filesystem::path& output_dir, const std::filesystem::path& known) {
  std::filesystem::path run;
  for (const auto& r : run_directories(output_dir)) {
    if (r != known) run = r;
  }
  return run;
}

// The first line of `text` that holds `needle`, or empty.
std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return {};
}

// Waits until the capture's file number `sequence` has started (its .part is
// there): a rotation just passed, and the next one is a whole interval away.
bool wait_for_capture_file(const std::filesystem::path& out, unsigned sequence, std::chrono::milliseconds limit) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "tlsring-%06u-", sequence);
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::error_code error;
    for (const auto& e : std::filesystem::directory_iterator(out / "capture", error)) {
      if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

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

// Results that grow for days take the disk the ring needs: an earlier run's
// results fill a 24 MiB disk up to 192 KiB above min_free_space (8 MiB), so
// that this run's capture files soon go below it. The ring then deletes
// decrypted capture files, says once why and what the results take, and
// every connection still decrypts; the status file shows the disk. This run
// writes only its report and key log (no transcripts or decrypted bytes), so
// that it deletes capture files for certain (its ring grows to about 300 KiB
// of 4 KiB pages, with the traffic below) and never has to pause (its report,
// summaries and status file take about 70 KiB of them, the current file some
// 30 KiB).
TEST_CASE("min_free_space deletes capture files early: the log and summary say what the results take") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "1s";
  text.stop_after = "10s";
  text.min_free_space = "8MiB";
  text.extra_decrypt = "  transcripts: false\n  payload: false\n";
  const ServiceTestDir dir("results-disk", text);
  const auto out = dir.out();
  const SmallDisk disk(out, "24m");  // capture/ and runs/ both on it
  // An earlier run's results: 16 MiB less 192 KiB, which leaves 8 MiB + 192 KiB free.
  const std::uint64_t earlier = 16 * kMiB - 192 * 1024;
  const auto earlier_run = out / "runs" / "20261201T000000Z";
  std::filesystem::create_directories(earlier_run / "connections");
  {
    std::ofstream bin(earlier_run / "connections" / "000001-a-b.s2c.bin", std::ios::binary);
    const std::string block(64 * 1024, 'e');
    for (std::uint64_t n = 0; n < earlier; n += block.size()) bin << block;
  }
  REQUIRE(std::filesystem::file_size(earlier_run / "connections" / "000001-a-b.s2c.bin") == earlier);

  TrafficOptions options;
  options.duration = 7000ms;
  options.interval = 10ms;
  options.short_connections = 6;
  const ServedTraffic served = serve_traffic(dir, options);
  const std::string& log = served.log;
  INFO(log);

  const std::filesystem::path run = run_other_than(out, earlier_run);
  REQUIRE(!run.empty());
  const std::string status = read_text(out / "status.json");
  INFO(status);

  // The results this run wrote, as the status file counts them, are the
  // bytes of its report, key log and ticket file; the earlier run's were measured at the start.
  const std::uint64_t on_disk = std::filesystem::file_size(run / "report.jsonl") +
                                std::filesystem::file_size(run / "keys.log") +
                                std::filesystem::file_size(run / "session-tickets.log");
  CHECK(on_disk > 0);
  CHECK(json_number(status, "results_bytes") == on_disk);
  CHECK(json_number(status, "earlier_results_bytes") == earlier);
  CHECK(json_number(status, "min_free_space") == 8 * kMiB);
  CHECK(json_number(status, "free_bytes") > 0);
  CHECK(json_number(status, "ring_bytes") > 0);

  // min_free_space deleted decrypted capture files, none before decryption,
  // and capture never paused: said once, with the results' share and the fix.
  CHECK(json_number(status, "files_deleted") > 0);
  CHECK(json_number(status, "files_deleted_undecrypted") == 0);
  CHECK(json_number(status, "not_written") == 0);
  CHECK(count_lines_with(log, "(min_free_space)") == json_number(status, "files_deleted"));
  CHECK(count_lines_with(log, "the oldest capture files are deleted early to keep it free") == 1);
  const std::string share = "written by this run, 16 MiB left by earlier runs, in output.directory/runs), which the "
                            "ring does not delete";
  // (Decryption may wait a moment too, until the ring's deletion frees the
  // disk again: its warning names the results' share as well.)
  const std::string deleted_early = line_with(log, "the oldest capture files are deleted early");
  CHECK(deleted_early.find(share) != std::string::npos);
  CHECK(deleted_early.find("move earlier runs' results (output.directory/runs/) to another disk") != std::string::npos);
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("capture: the disk of the capture files had less than min_free_space 8.0 MiB free") !=
        std::string::npos);
  CHECK(summary.find(share) != std::string::npos);

  // Nothing was lost for it: every connection decrypted.
  const std::string report = read_text(run / "report.jsonl");
  CHECK(static_cast<unsigned>(std::count(report.begin(), report.end(), '\n')) == served.traffic.connections);
  CHECK(count_lines_with(report, "\"verdict\":\"decrypted\"") == served.traffic.connections);

  // `tlsring status` shows the disk.
  const std::string page = run_status_page(dir.config());
  INFO(page);
  CHECK(page.find("disk              capture files ") != std::string::npos);
  CHECK(page.find("(earlier runs' 16 MiB more)") != std::string::npos);
  CHECK(page.find("(min_free_space 8.0 MiB)") != std::string::npos);
}

// The results on a disk of their own (a 4 MiB tmpfs on runs/) with 1 MiB free,
// below min_free_space 2 MiB, from the start: decryption waits rather than
// fill that disk. The capture goes on (its disk is roomy) and keeps the files
// undecrypted; the status and the log say why. Once the disk has room again,
// decryption goes on by itself and every message is decrypted.
TEST_CASE("decryption waits while the results' disk is short of min_free_space and then decrypts everything") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "1s";
  text.stop_after = "12s";
  text.min_free_space = "2MiB";
  const ServiceTestDir dir("results-wait", text);
  const auto out = dir.out();
  const SmallDisk results_disk(out / "runs", "4m");
  const auto filler = results_disk.fill_leaving("filler", kMiB);

  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));
  TrafficOptions options;
  options.duration = 8000ms;
  options.interval = 100ms;
  options.short_connections = 6;
  auto traffic = std::async(std::launch::async, [&] { return run_traffic(dir.keys(), options); });

  // Files are captured and wait: nothing is decrypted, the status says why.
  std::this_thread::sleep_for(4000ms);
  const std::string waiting = read_text(out / "status.json");
  INFO(waiting);
  CHECK(json_number(waiting, "files_decrypted") == 0);
  CHECK(json_number(waiting, "decrypt_backlog") >= 2);
  CHECK(waiting.find("\"decrypt_waiting\": \"the disk of the results (output.directory/runs) has ") !=
        std::string::npos);
  CHECK(waiting.find("short of min_free_space 2.0 MiB, so decryption waits") != std::string::npos);
  const std::string page = run_status_page(dir.config());
  INFO(page);
  CHECK(page.find("\n  decryption waits  the disk of the results") != std::string::npos);

  // Room again: decryption goes on by itself.
  std::filesystem::remove(filler);
  const TrafficResult sent = traffic.get().value();
  const auto exit_status = service.wait(30s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);

  CHECK(count_lines_with(log, "so decryption waits") == 1);
  CHECK(count_lines_with(log, "the capture files, on another disk, wait undecrypted in the ring") == 1);
  CHECK(count_lines_with(log, "decryption goes on: the results' disk has min_free_space free again") == 1);
  const std::string status = read_text(out / "status.json");
  CHECK(json_number(status, "files_deleted_undecrypted") == 0);
  CHECK(json_number(status, "not_written") == 0);
  CHECK(status.find("\"decrypt_waiting\": \"\"") != std::string::npos);

  const auto run = only_run_directory(out);
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("decryption: waited 1 time(s), ") != std::string::npos);
  CHECK(summary.find("left undecrypted") == std::string::npos);
  require_every_message_decrypted(sent, read_decrypted_streams({run}));
}

// Traffic for 2 s: the long connection's few small events, and one connection
// of 16 events with 48 KiB of user data each, acknowledged in full: some
// 3 MiB of transcripts and decrypted bytes.
namespace {
TrafficOptions bulk_in_one_file() {
  TrafficOptions options;
  options.duration = 2000ms;
  options.interval = 500ms;
  options.short_connections = 1;
  options.messages_per_connection = 16;
  options.short_user_data_bytes = 48 * 1024;
  return options;
}
}  // namespace

// The results' disk has room before a capture file (3 MiB free, min_free_space
// 2 MiB) but the file decrypts to more than that room (bulk_in_one_file()).
// Decryption must stop within the file, near min_free_space, rather than fill
// the disk (a check before each file alone would write it full), and go on
// once the disk has room again.
TEST_CASE("decryption waits within a capture file whose results would take the disk below min_free_space") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "3s";
  text.stop_after = "14s";
  text.min_free_space = "2MiB";
  const ServiceTestDir dir("results-within", text);
  const auto out = dir.out();
  const SmallDisk results_disk(out / "runs", "16m");
  const auto filler = results_disk.fill_leaving("filler", 3 * kMiB);

  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(out, 5s));
  // All of the traffic in one capture file, most likely: it starts right after
  // a rotation and ends within 2.2 s of the 3 s interval.
  REQUIRE(wait_for_capture_file(out, 2, 5s));
  auto traffic = std::async(std::launch::async, [&] { return run_traffic(dir.keys(), bulk_in_one_file()); });

  // Decryption waits, with the disk not full: it stopped near min_free_space
  // (it looks every MiB of results), not at the disk's end.
  std::string waiting;
  std::uint64_t free_while_waiting = 0;
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(100ms);
    waiting = read_text(out / "status.json");
    if (waiting.find("\"decrypt_waiting\": \"the disk of the results") != std::string::npos) {
      free_while_waiting = std::filesystem::space(out / "runs").available;
      break;
    }
  }
  INFO(waiting);
  REQUIRE(free_while_waiting > 0);
  CHECK(free_while_waiting > kMiB / 2);
  CHECK(free_while_waiting < 2 * kMiB);  // below min_free_space: results of the file under way took it there

  // Room again: decryption goes on by itself.
  std::filesystem::remove(filler);
  const TrafficResult sent = traffic.get().value();
  const auto exit_status = service.wait(40s);
  const std::string log = read_text(dir.path() / "service.log");
  INFO(log);
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
  CHECK(count_lines_with(log, "so decryption waits") == 1);
  CHECK(count_lines_with(log, "decryption goes on: the results' disk has min_free_space free again") >= 1);
  CHECK(count_lines_with(log, "results could not all be written") == 0);
  CHECK(count_lines_with(log, "left unwritten") == 0);

  const auto run = only_run_directory(out);
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("decryption: waited ") != std::string::npos);
  CHECK(summary.find("results: some could not be written") == std::string::npos);
  require_every_message_decrypted(sent, read_decrypted_streams({run}));
}

// As above, but the service is stopped while decryption waits within the
// file: the rest of that file's results is left unwritten rather than fill the
// disk, the file is not taken for decrypted (the ring keeps it), and the next
// start, with room again, decrypts it whole.
TEST_CASE("a stop while decryption waits within a file leaves the file undecrypted for the next start") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "5s";  // room for the traffic to be slow under load, and still in one file
  text.stop_after = "1h";      // run 1 ends by SIGTERM
  text.min_free_space = "2MiB";
  ServiceTestDir dir("results-within-stop", text);
  const auto out = dir.out();
  const SmallDisk results_disk(out / "runs", "16m");
  const auto filler = results_disk.fill_leaving("filler", 3 * kMiB);

  {
    ServiceProcess service(dir.config(), dir.path() / "service1.log");
    REQUIRE(wait_until_capturing(out, 5s));
    REQUIRE(wait_for_capture_file(out, 2, 7s));
    auto traffic = std::async(std::launch::async, [&] { return run_traffic(dir.keys(), bulk_in_one_file()); });
    bool waited = false;
    for (int i = 0; i < 100 && !waited; ++i) {
      std::this_thread::sleep_for(100ms);
      waited = read_text(out / "status.json").find("\"decrypt_waiting\": \"the disk of the results") !=
               std::string::npos;
    }
    REQUIRE(waited);
    REQUIRE(traffic.get().ok());
    service.signal(SIGTERM);
    REQUIRE(service.wait(20s) == std::optional<int>(0));
  }
  CHECK(std::filesystem::space(out / "runs").available > kMiB / 2);  // not filled at the stop either
  const std::string log1 = read_text(dir.path() / "service1.log");
  INFO(log1);
  CHECK(count_lines_with(log1, "results could not all be written") == 0);
  const std::string cut = line_with(log1, ": some of its results were left unwritten (the results' disk was still "
                                          "short of min_free_space at the stop): it stays in the ring undecrypted "
                                          "and is decrypted again after the next start");
  REQUIRE(!cut.empty());
  std::smatch name;
  REQUIRE(std::regex_search(cut, name, std::regex("(tlsring-[^ :]+\\.pcapng): some of its results")));
  const auto run1 = only_run_directory(out);
  REQUIRE(!run1.empty());
  const std::string summary1 = read_text(run1 / "summary.txt");
  INFO(summary1);
  CHECK(summary1.find(" of results were left unwritten rather than fill that disk: the transcripts and decrypted "
                      "bytes of the connections open then are incomplete, and the capture file being decrypted then "
                      "stays in the ring undecrypted") != std::string::npos);

  // Room again: the next start decrypts that file (and any queued behind it).
  std::filesystem::remove(filler);
  text.stop_after = "3s";
  dir.write_config(text);
  ServiceProcess restarted(dir.config(), dir.path() / "service2.log");
  const auto exit_status = restarted.wait(40s);
  const std::string log2 = read_text(dir.path() / "service2.log");
  INFO(log2);
  REQUIRE(exit_status == std::optional<int>(0));
  CHECK(count_lines_with(log2, name[1].str() + " was not decrypted before the last stop: decrypting it now") == 1);
  CHECK(count_lines_with(log2, "so decryption waits") == 0);
  const std::filesystem::path run2 = run_other_than(out, run1);
  REQUIRE(!run2.empty());
  const std::string report = read_text(run2 / "report.jsonl");
  INFO(report);
  CHECK(count_lines_with(report, "\"verdict\":\"decrypted\"") >= 1);
}

// Decryption waits through a whole run (its results' disk short of
// min_free_space), so its files are left undecrypted at the stop; the next
// start, with room again, decrypts them first. Their connections are ECDHE,
// decrypted through a key log the clients wrote during the first run: its
// lines, read at the second start, must stay until those earlier files, the
// third and later among them, are decrypted (the service lets go of key-log
// lines no longer needed, but not of these).
TEST_CASE("files left waiting for disk space at a stop are decrypted after the next start with their key log") {
  require_root_or_skip();
  ServiceConfigText text;
  text.rotation_every = "1s";
  text.stop_after = "1h";  // run 1 ends by SIGTERM
  text.min_free_space = "2MiB";
  ServiceTestDir dir("wait-stop", text);
  const std::filesystem::path key_log = dir.path() / "clients.keys";
  text.extra_decrypt = "  keylogs: [" + key_log.string() + "]\n";
  dir.write_config(text);
  const auto out = dir.out();
  const SmallDisk results_disk(out / "runs", "4m");
  const auto filler = results_disk.fill_leaving("filler", kMiB);

  TrafficResult sent;
  {
    ServiceProcess service(dir.config(), dir.path() / "service1.log");
    REQUIRE(wait_until_capturing(out, 5s));
    TrafficOptions options;
    options.duration = 5000ms;  // over five or six files
    options.interval = 200ms;
    options.short_connections = 4;
    options.ciphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
    options.client_key_log = key_log;
    auto traffic = run_traffic(dir.keys(), options);
    REQUIRE(traffic.ok());
    sent = *traffic;
    std::this_thread::sleep_for(1500ms);  // the last file completes
    service.signal(SIGTERM);
    REQUIRE(service.wait(20s) == std::optional<int>(0));
  }
  const std::string log1 = read_text(dir.path() / "service1.log");
  INFO(log1);
  const auto run1 = only_run_directory(out);
  REQUIRE(!run1.empty());
  const std::string summary1 = read_text(run1 / "summary.txt");
  INFO(summary1);
  // The file that waited, and those still queued behind it (SIGTERM finishes
  // only the file being decrypted), are each counted in the summary.
  std::smatch waited;
  REQUIRE(std::regex_search(summary1, waited, std::regex("at the stop it still waited, and ([0-9]+) capture "
                                                          "file\\(s\\) were left undecrypted in the ring")));
  std::smatch queued;
  REQUIRE(std::regex_search(summary1, queued, std::regex("decryption: ([0-9]+) capture file\\(s\\) still queued at "
                                                          "the stop were left undecrypted in the ring")));
  const unsigned files_left = std::stoul(waited[1].str()) + std::stoul(queued[1].str());
  CHECK(waited[1].str() == "1");
  CHECK(files_left >= 4);
  CHECK(read_text(run1 / "report.jsonl").empty());

  // Room again; the next start decrypts the files left, oldest first.
  std::filesystem::remove(filler);
  text.stop_after = "3s";
  dir.write_config(text);
  ServiceProcess restarted(dir.config(), dir.path() / "service2.log");
  const auto exit_status = restarted.wait(30s);
  const std::string log2 = read_text(dir.path() / "service2.log");
  INFO(log2);
  REQUIRE(exit_status == std::optional<int>(0));
  CHECK(count_lines_with(log2, "was not decrypted before the last stop: decrypting it now") == files_left);
  CHECK(count_lines_with(log2, "so decryption waits") == 0);
  const std::filesystem::path run2 = run_other_than(out, run1);
  REQUIRE(!run2.empty());
  const std::string report = read_text(run2 / "report.jsonl");
  INFO(report);
  CHECK(count_lines_with(report, "\"verdict\":\"decrypted\"") == sent.connections);
  CHECK(count_lines_with(report, "\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_") == sent.connections);
  require_every_message_decrypted(sent, read_decrypted_streams({run2}));
}
