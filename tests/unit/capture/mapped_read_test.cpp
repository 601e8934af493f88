// BufferedFile with ReadMethod::map: the file's pages are mapped a window
// ahead of the cursor and let go of behind it, so reading a large capture
// keeps a few MiB of it resident; a file that cannot be mapped (a pipe) is
// read by copying. (That both methods yield the same records, at every cut,
// is in truncation_test.cpp and held_views_test.cpp.)
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/capture/buffered_file.h"
#include "core/capture/capture_reader.h"
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
