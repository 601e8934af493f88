#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/service/service_status.h"

using namespace tlsring::daemon;

namespace {

std::filesystem::path temp_file(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("tlsring-status-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

ServiceStatus sample() {
  ServiceStatus s;
  s.state = "capturing";
  s.pid = 4242;
  s.started_ns = 1'765'000'000'000'000'000;  // 2025-12-06T05:46:40Z
  s.updated_ns = s.started_ns + 3'723'000'000'000;  // 1 h 2 min 3 s later
  s.config = "/etc/tlsring/tlsring.yaml";
  s.output_directory = "/var/lib/tlsring \"main\"";
  s.packets = 123456789;
  s.bytes = 98765432100;
  s.kernel_drops = 7;
  s.not_written = 11;
  s.files_written = 3;
  s.files_deleted = 1;
  s.ring_bytes = 3 * (std::uint64_t{1} << 30);             // 3.0 GiB
  s.free_bytes = 40 * (std::uint64_t{1} << 30);            // 40 GiB
  s.min_free_space = std::uint64_t{1} << 31;               // 2.0 GiB
  s.results_bytes = 5 * (std::uint64_t{1} << 29);          // 2.5 GiB
  s.earlier_results_bytes = 12 * (std::uint64_t{1} << 30);  // 12 GiB
  s.current_file = "/var/lib/tlsring/capture/tlsring-000004-20251206T064640Z.pcapng.part";
  s.decrypt_backlog = 2;
  s.files_decrypted = 1;
  s.decrypt_waiting = "the disk of the results (output.directory/runs) has 1.0 GiB free, \"less\" than min_free_space";
  s.sessions = {{"decrypted", 40}, {"not_rsa_key_exchange", 2}};
  s.last_error = "line one\nline two";
  return s;
}

}  // namespace

TEST_CASE("the status file is written atomically (0640) and read back field by field") {
  const auto path = temp_file("status.json");
  const ServiceStatus written = sample();
  REQUIRE(write_status_file(path, written).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));

  auto read = read_status_file(path);
  REQUIRE(read.ok());
  CHECK(read->state == "capturing");
  CHECK(read->pid == 4242);
  CHECK(read->started_ns == 1'765'000'000'000'000'000);
  CHECK(read->output_directory == "/var/lib/tlsring \"main\"");
  CHECK(read->packets == 123456789);
  CHECK(read->bytes == 98765432100);
  CHECK(read->kernel_drops == 7);
  CHECK(read->not_written == 11);
  CHECK(read->decrypt_backlog == 2);
  CHECK(read->ring_bytes == written.ring_bytes);
  CHECK(read->free_bytes == written.free_bytes);
  CHECK(read->min_free_space == written.min_free_space);
  CHECK(read->results_bytes == written.results_bytes);
  CHECK(read->earlier_results_bytes == written.earlier_results_bytes);
  CHECK(read->decrypt_waiting == written.decrypt_waiting);
  CHECK(read->sessions == std::map<std::string, std::uint64_t>{{"decrypted", 40}, {"not_rsa_key_exchange", 2}});
  CHECK(read->last_error == "line one\nline two");
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("tlsring status's page shows the run time, counters, backlog and sessions by verdict") {
  const ServiceStatus s = sample();
  const std::string page = format_status(s, s.updated_ns + 1'000'000'000);
  CHECK(page.find("tlsring capturing (pid 4242)") != std::string::npos);
  CHECK(page.find("2025-12-06 05:46:40 UTC (1h 02m 04s)") != std::string::npos);
  CHECK(page.find("not written       11 (no capture file could be written then") != std::string::npos);
  CHECK(page.find("kernel drops      7") != std::string::npos);
  CHECK(page.find("backlog 2") != std::string::npos);
  CHECK(page.find("sessions          42") != std::string::npos);
  CHECK(page.find("not_rsa_key_exchange     2") != std::string::npos);
  CHECK(page.find("disk              capture files 3.0 GiB, results 2.5 GiB (earlier runs' 12 GiB more); "
                  "40 GiB free (min_free_space 2.0 GiB)") != std::string::npos);
  CHECK(page.find("\n  decryption waits  the disk of the results (output.directory/runs) has 1.0 GiB free") !=
        std::string::npos);
  ServiceStatus not_waiting = s;
  not_waiting.decrypt_waiting.clear();
  CHECK(format_status(not_waiting, s.updated_ns).find("decryption waits") == std::string::npos);
  // Before the first look at the disk there is no such line.
  ServiceStatus starting = s;
  starting.ring_bytes = 0;
  starting.free_bytes = 0;
  CHECK(format_status(starting, s.updated_ns).find("\n  disk ") == std::string::npos);
  // A status file not rewritten for long: the page says so.
  const std::string stale = format_status(s, s.updated_ns + 120'000'000'000);
  CHECK(stale.find("120 s ago: is the service still running?") != std::string::npos);
}

TEST_CASE("a missing or malformed status file is an error that says what to check") {
  const auto missing = read_status_file("/nonexistent/tlsring/status.json");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("is the service running") != std::string::npos);
  const auto path = temp_file("bad.json");
  std::ofstream(path) << "{\"state\": \"capturing\", \"packets\": }";
  const auto bad = read_status_file(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find(path.string()) != std::string::npos);
  CHECK(bad.error().message.find("malformed status file") != std::string::npos);
  std::filesystem::remove_all(path.parent_path());
}
