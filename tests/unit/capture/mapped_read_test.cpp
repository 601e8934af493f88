// BufferedFile with ReadMethod::map: the file's pages are mapped a window
// ahead of the cursor and let go of behind it, so reading a large capture
// keeps a few MiB of it resident; a file that cannot be mapped (a pipe) is
// read by copying; a file truncated under the reader ends the read with an
// error, not the process with SIGBUS. (That both methods yield the same
// records, at every cut, is in truncation_test.cpp and held_views_test.cpp.)
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/capture/buffered_file.h"
#include "core/capture/capture_reader.h"
#include "core/capture/file_mapping.h"
#include "tests/unit/capture/capture_test_util.h"

using namespace tlsring;
using capture::BufferedFile;
using capture::ReadMethod;

namespace {

// A pcap of `packets` records of 1,500 bytes, each filled with its index.
std::vector<std::uint8_t> make_pcap(std::size_t packets) {
  test::ByteBuilder b;
  b.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  for (std::size_t i = 0; i < packets; ++i) {
    b.u32(1700000000).u32(static_cast<std::uint32_t>(i % 1000000)).u32(1500).u32(1500);
    b.raw(std::vector<std::uint8_t>(1500, static_cast<std::uint8_t>(i)));
  }
  return b.bytes();
}

// Resident bytes of the mapping that holds `address`, from /proc/self/smaps.
std::size_t resident_bytes_of_mapping(const void* address) {
  std::ifstream smaps("/proc/self/smaps");
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long long start = 0;
    unsigned long long end = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &start, &end) == 2 && line.find('-') < line.find(' ')) {
      inside = target >= start && target < end;
    } else if (inside && line.rfind("Rss:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      std::size_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  FAIL("no mapping holds the address in /proc/self/smaps");
  return 0;
}

// Reads every record through `file` (a pcap), releasing held views right
// behind the cursor when `holding`; returns the first byte's address.
const std::uint8_t* read_through(BufferedFile& file, bool holding, std::size_t& records) {
  if (holding) file.hold_views();
  const std::uint8_t* start = file.fill(24).data();
  file.consume(24);
  for (;;) {
    const auto header = file.fill(16);
    if (header.size() < 16) break;
    const auto record = file.fill(16 + 1500);
    REQUIRE(record.size() == 16 + 1500);
    REQUIRE(record[16] == static_cast<std::uint8_t>(records));
    file.consume(record.size());
    ++records;
    if (holding) file.release_before(file.offset());
  }
  return start;
}

// A pcapng of `packets` Enhanced Packet Blocks of 1,500 bytes, each filled with its index.
std::vector<std::uint8_t> make_pcapng(std::size_t packets) {
  std::vector<std::uint8_t> bytes = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 65535)});
  for (std::size_t i = 0; i < packets; ++i) {
    const auto block = test::pcapng_epb(false, 0, 1700000000000000ULL + i,
                                        std::vector<std::uint8_t>(1500, static_cast<std::uint8_t>(i)));
    bytes.insert(bytes.end(), block.begin(), block.end());
  }
  return bytes;
}

// Runs `body` in a child process (no Catch2 in there: it returns a code) and
// returns the child's wait status. The child writes no core file.
int wait_status_of_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const struct rlimit no_core {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("a mapped capture file keeps a few MiB resident however large it is") {
  const std::size_t packets = 20000;  // about 30 MiB
  test::TempFile temp(make_pcap(packets));
  const bool holding = GENERATE(false, true);
  INFO((holding ? "holding views, released right behind the cursor" : "not holding views"));
  auto opened = BufferedFile::open(temp.path(), ReadMethod::map);
  REQUIRE(opened.ok());
  REQUIRE(opened->mapped());
  std::size_t records = 0;
  const std::uint8_t* start = read_through(*opened, holding, records);
  CHECK(records == packets);
  const std::size_t resident = resident_bytes_of_mapping(start);
  INFO("resident: " << resident << " of " << std::filesystem::file_size(temp.path()) << " bytes");
  // The window ahead, the drop step behind, and the pages in between.
  CHECK(resident <= 2 * BufferedFile::kMapWindow + BufferedFile::kDropStep + (64u << 10));
}

TEST_CASE("a capture that cannot be mapped (a pipe) is read by copying") {
  const std::vector<std::uint8_t> bytes = make_pcap(3000);
  const auto fifo = std::filesystem::temp_directory_path() / ("tlsring-mapped-read-" + std::to_string(::getpid()));
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  });
  auto opened = capture::CaptureReader::open(fifo, ReadMethod::map);
  REQUIRE(opened.ok());
  const auto all = test::read_all(**opened);
  writer.join();
  std::filesystem::remove(fifo);
  CHECK(all.final_kind == capture::CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 3000);
  CHECK(all.packets[2999].data == std::vector<std::uint8_t>(1500, static_cast<std::uint8_t>(2999)));
}

TEST_CASE("a regular capture file opened for mapping is mapped and one opened for copying is not") {
  test::TempFile temp(make_pcap(10));
  auto mapped = BufferedFile::open(temp.path(), ReadMethod::map);
  auto copied = BufferedFile::open(temp.path(), ReadMethod::copy);
  REQUIRE(mapped.ok());
  REQUIRE(copied.ok());
  CHECK(mapped->mapped());
  CHECK_FALSE(copied->mapped());
}

TEST_CASE("a mapped capture file truncated ahead of the reader ends the read with an error and no crash") {
  const std::size_t packets = 20000;  // about 30 MiB
  test::TempFile temp(make_pcap(packets));
  auto opened = capture::CaptureReader::open(temp.path(), ReadMethod::map);
  REQUIRE(opened.ok());
  capture::CaptureReader& reader = **opened;
  std::size_t read = 0;
  for (; read < 1000; ++read) REQUIRE(reader.next().kind == capture::CaptureEvent::Kind::packet);
  // Cut inside record 10,000, far past the pages mapped ahead of the reader.
  const std::uint64_t cut = 24 + 10000 * (16 + 1500) + 700;
  std::filesystem::resize_file(temp.path(), cut);
  const auto rest = test::read_all(reader);
  CHECK(read + rest.packets.size() == 10000);
  CHECK(rest.final_kind == capture::CaptureEvent::Kind::truncated);
  CHECK_THAT(rest.warning, Catch::Contains("the file was truncated to " + std::to_string(cut) +
                                           " bytes while it was read"));
}

TEST_CASE("a page of a mapping whose file was truncated reads as zeros and a fault in no mapping still kills") {
  constexpr std::size_t kPage = 4096;
  const std::vector<std::uint8_t> bytes(16 * kPage, 0x5a);

  // Through FileMapping: the page past the cut reads as zeros, and the fault is told.
  test::TempFile watched(bytes);
  const int mended = wait_status_of_child([&] {
    std::FILE* file = std::fopen(watched.path().c_str(), "rb");
    if (file == nullptr) return 10;
    std::optional<capture::FileMapping> mapping = capture::FileMapping::map(file);
    if (!mapping) return 11;
    std::filesystem::resize_file(watched.path(), 2 * kPage);
    const volatile std::uint8_t* data = mapping->data();
    if (data[2 * kPage - 1] != 0x5a) return 12;  // before the cut: as it was
    if (data[9 * kPage + 100] != 0) return 13;    // past it: zeros, and no SIGBUS
    if (mapping->fault_offset() != std::optional<std::size_t>(9 * kPage)) return 14;
    if (data[5 * kPage] != 0) return 15;          // a lower page faults too, and is the first now
    if (mapping->fault_offset() != std::optional<std::size_t>(5 * kPage)) return 16;
    return 0;
  });
  INFO("wait status of the child reading through FileMapping: " << mended);
  CHECK(WIFEXITED(mended));
  CHECK(WEXITSTATUS(mended) == 0);

  // A mapping made behind FileMapping's back is not watched: the handler that
  // a FileMapping installed hands that SIGBUS to the default action.
  test::TempFile other(bytes);
  test::TempFile unwatched(bytes);
  const int killed = wait_status_of_child([&] {
    std::FILE* file = std::fopen(other.path().c_str(), "rb");
    if (file == nullptr) return 10;
    std::optional<capture::FileMapping> mapping = capture::FileMapping::map(file);  // installs the handler
    if (!mapping) return 11;
    const int fd = ::open(unwatched.path().c_str(), O_RDONLY);
    void* raw = ::mmap(nullptr, bytes.size(), PROT_READ, MAP_SHARED, fd, 0);
    if (raw == MAP_FAILED) return 12;
    std::filesystem::resize_file(unwatched.path(), 2 * kPage);
    const volatile std::uint8_t* data = static_cast<const std::uint8_t*>(raw);
    return data[9 * kPage] == 0 ? 13 : 14;  // never returns: SIGBUS
  });
  INFO("wait status of the child reading an unwatched mapping: " << killed);
  REQUIRE(WIFSIGNALED(killed));
  CHECK(WTERMSIG(killed) == SIGBUS);
}

TEST_CASE("a mapped capture file truncated inside the window being read ends with the truncation and no crash") {
  const bool pcapng = GENERATE(false, true);
  INFO((pcapng ? "pcapng" : "pcap"));
  const std::size_t packets = 2000;  // about 3 MiB
  const std::size_t header = pcapng ? 28 + 20 : 24;                // SHB and IDB, or the file header
  const std::size_t record = pcapng ? 28 + 1500 + 4 : 16 + 1500;  // EPB, or record header and data
  test::TempFile temp(pcapng ? make_pcapng(packets) : make_pcap(packets));
  auto opened = capture::CaptureReader::open(temp.path(), ReadMethod::map);
  REQUIRE(opened.ok());
  capture::CaptureReader& reader = **opened;
  for (std::size_t i = 0; i < 100; ++i) REQUIRE(reader.next().kind == capture::CaptureEvent::Kind::packet);
  // Cut inside record 300, in the window mapped ahead of the reader (1 MiB):
  // the pages past the cut are gone, the rest of the last one reads as zeros.
  const std::uint64_t cut = header + 300 * record + 700;
  REQUIRE(cut < BufferedFile::kMapWindow);
  std::filesystem::resize_file(temp.path(), cut);
  const auto rest = test::read_all(reader);
  CHECK(rest.final_kind == capture::CaptureEvent::Kind::truncated);
  CHECK_THAT(rest.warning, Catch::Contains("the file was truncated to " + std::to_string(cut) +
                                           " bytes while it was read"));
  // Every whole record before the cut came through as it was written.
  REQUIRE(rest.packets.size() >= 200);
  for (std::size_t i = 0; i < 200; ++i) {
    INFO("packet " << 100 + i);
    CHECK(rest.packets[i].data == std::vector<std::uint8_t>(1500, static_cast<std::uint8_t>(100 + i)));
  }
  // With pcapng the cut block's trailing length reads as zero; with pcap the
  // record the cut went through comes (its tail zeros), and the next header
  // reads as zeros.
  CHECK(rest.packets.size() == (pcapng ? 200 : 201));
}
