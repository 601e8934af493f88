// The OS mechanism headers on Linux (durable_files.h, process.h, file_access.h,
// ip_address_text.h, notify_socket.h): expected values from the kernel itself
// (stat, getpid, a reaped child) and from the text written, not from the code.
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "daemon/platform/durable_files.h"
#include "daemon/platform/file_access.h"
#include "daemon/platform/ip_address_text.h"
#include "daemon/platform/notify_socket.h"
#include "daemon/platform/process.h"

namespace fs = std::filesystem;
namespace tp = tlsring::platform;

namespace {

fs::path fresh_directory(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tlsring-platform-os-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("platform (Linux): this process, and a child that is gone") {
  CHECK(tp::current_process_id() == ::getpid());
  CHECK(tp::process_is_running(::getpid()));
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);  // reaped: the pid names no process now
  CHECK_FALSE(tp::process_is_running(child));
  CHECK_FALSE(tp::process_is_running(0));
  CHECK(tp::reload_signal() == SIGHUP);
  const std::tm epoch = tp::utc_calendar_time(0);
  CHECK((epoch.tm_year == 70 && epoch.tm_mon == 0 && epoch.tm_mday == 1 && epoch.tm_hour == 0));
}

TEST_CASE("platform (Linux): a lowered thread runs at nice 10, released pages leave memory and read back as zeros") {
  int nice_seen = -100;
  std::thread([&] {
    tp::lower_current_thread_priority();
    errno = 0;
    nice_seen = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  }).join();
  CHECK(nice_seen == 10);
  CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) == 0);  // this thread untouched

  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t size = 64 * page;
  void* mapped = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(mapped != MAP_FAILED);
  auto* bytes = static_cast<unsigned char*>(mapped);
  std::memset(bytes, 0xab, size);
  std::vector<unsigned char> in_core(64);
  const auto resident = [&] {
    REQUIRE(::mincore(mapped, size, in_core.data()) == 0);
    std::size_t n = 0;
    for (unsigned char c : in_core) n += c & 1;
    return n;
  };
  CHECK(resident() == 64);
  // From the middle of page 0 to the middle of page 63: pages 1 to 62 are whole.
  tp::release_pages(bytes + page / 2, size - page);
  CHECK(resident() == 2);
  CHECK(bytes[0] == 0xab);
  CHECK(bytes[page] == 0);
  CHECK(bytes[size - 1] == 0xab);
  ::munmap(mapped, size);
}

TEST_CASE("platform (Linux): replace_file_contents replaces in one step, with the mode asked") {
  const fs::path dir = fresh_directory("replace");
  const fs::path path = dir / "status.json";
  REQUIRE(tp::replace_file_contents(path, "first", 0640).ok());
  REQUIRE(tp::replace_file_contents(path, "second, longer", 0640).ok());
  CHECK(read_all(path) == "second, longer");
  CHECK_FALSE(fs::exists(dir / "status.json.tmp"));
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 07777) == 0640);
  const tlsring::Status refused = tp::replace_file_contents(dir / "missing" / "status.json", "x", 0640);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("No such file or directory"));
  fs::remove_all(dir);
}

TEST_CASE("platform (Linux): a file for repair is mapped, cut and synced in place") {
  const fs::path dir = fresh_directory("repair");
  const fs::path path = dir / "capture.pcap.part";
  std::ofstream(path, std::ios::binary) << "0123456789";
  auto opened = tp::FileForRepair::open(path);
  REQUIRE(opened.ok());
  auto kind = (*opened)->kind();
  REQUIRE(kind.ok());
  CHECK(kind->regular);
  CHECK(kind->size == 10);
  {
    auto view = (*opened)->map(kind->size);
    REQUIRE(view.ok());
    const auto bytes = (*view)->bytes();
    CHECK(std::string(bytes.begin(), bytes.end()) == "0123456789");
  }
  REQUIRE((*opened)->truncate(4).ok());
  REQUIRE((*opened)->sync().ok());
  opened->reset();
  CHECK(read_all(path) == "0123");

  auto missing = tp::FileForRepair::open(dir / "none.part");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "No such file or directory");

  REQUIRE(tp::rename_no_replace(path, dir / "capture.pcap").ok());
  std::ofstream(path, std::ios::binary) << "x";
  const tlsring::Status clash = tp::rename_no_replace(path, dir / "capture.pcap");
  REQUIRE_FALSE(clash.ok());
  CHECK_THAT(clash.error().message, Catch::Contains("exists already"));
  CHECK(read_all(dir / "capture.pcap") == "0123");
  REQUIRE(tp::remove_file(path).ok());
  CHECK_FALSE(fs::exists(path));
  CHECK(tp::sync_directory(dir).ok());
  fs::remove_all(dir);
}

TEST_CASE("platform (Linux): file access as stat(2) and access(2) see it") {
  const fs::path dir = fresh_directory("access");
  const fs::path key = dir / "server.key";
  std::ofstream(key) << "k";
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  const tp::RegularFileState state = tp::inspect_regular_file(key);
  CHECK_FALSE(state.problem);
  CHECK((state.posix_mode & 07777) == 0600);
  CHECK_FALSE(state.has_acl);  // the mode bits say who may read it
  CHECK_FALSE(tp::service_account_sid("tlsring"));
  CHECK(tp::inspect_regular_file(dir / "none").problem == std::optional<std::string>("no such file"));
  CHECK(tp::inspect_regular_file(dir).problem == std::optional<std::string>("not a regular file"));
  CHECK(tp::may_create_files_in(dir));
  CHECK_FALSE(tp::probe_write(dir));
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  CHECK(tp::probe_write(dir / "none") == std::optional<std::string>("No such file or directory"));
  fs::remove_all(dir);
}

TEST_CASE("platform (Linux): IP address text as inet_pton reads it") {
  const auto v4 = tp::parse_ip_address("10.20.0.5");
  REQUIRE(v4);
  CHECK(v4->version == 4);
  CHECK((v4->bytes[0] == 10 && v4->bytes[1] == 20 && v4->bytes[2] == 0 && v4->bytes[3] == 5));
  const auto v6 = tp::parse_ip_address("2001:db8::1");
  REQUIRE(v6);
  CHECK(v6->version == 6);
  CHECK((v6->bytes[0] == 0x20 && v6->bytes[1] == 0x01 && v6->bytes[2] == 0x0d && v6->bytes[3] == 0xb8));
  CHECK(v6->bytes[15] == 1);
  CHECK_FALSE(tp::parse_ip_address("10.20.0"));
  CHECK_FALSE(tp::parse_ip_address("server"));
}

TEST_CASE("platform (Linux): no notify socket for an address sockaddr_un cannot hold") {
  CHECK(tp::open_notify_socket(std::string(200, 'x')) == nullptr);
  CHECK(tp::open_notify_socket("") == nullptr);
  CHECK(tp::open_notify_socket("@tlsring-platform-test") != nullptr);
}

TEST_CASE("platform (Linux): the capabilities are read from /proc/self/status") {
  const std::optional<std::string> status = tp::capability_status_text();
  REQUIRE(status);
  CHECK(status->find("\nCapEff:\t") != std::string::npos);
}
