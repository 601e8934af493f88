// Recovery of .part files: a capture written with CaptureWriter, whose record
// boundaries the test notes as it writes (bytes_written() after each record),
// then cut at chosen offsets. The packets a recovery must keep are those whose
// record ends at or before the cut, counted from those notes.
#include <catch2/catch.hpp>

#include "core/capture/capture_writer.h"
#include "daemon/ring/capture_scan.h"
#include "daemon/ring/part_recovery.h"
#include "tests/unit/ring/ring_test_support.h"

using tlsring::capture::CaptureFormat;
using tlsring::capture::CaptureWriter;
using namespace tlsring::daemon;
using namespace tlsring::ring_test;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t k0330 = 1796527800 * kSec;

struct Written {
  std::vector<std::uint8_t> bytes;
  std::uint64_t header_end = 0;             // after the file header / SHB + IDB
  std::vector<std::uint64_t> packet_ends;   // end offset of each packet record
};

// A complete capture of `count` packets of varying sizes.
Written write_capture(const fs::path& path, CaptureFormat format, std::uint32_t count) {
  auto created = CaptureWriter::create(path, format);
  REQUIRE(created);
  CaptureWriter& w = **created;
  REQUIRE(w.add_interface(1, 65535, "eth0"));
  Written out;
  out.header_end = w.bytes_written();
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto data = packet_bytes(i, 60 + (i * 97) % 700);
    REQUIRE(w.write_packet(k0330 + i * kSec, 0, data));
    out.packet_ends.push_back(w.bytes_written());
  }
  REQUIRE(w.close());
  out.bytes = read_bytes(path);
  REQUIRE(out.bytes.size() == out.packet_ends.back());  // no statistics set: nothing after
  return out;
}

std::uint64_t packets_before(const Written& w, std::uint64_t cut) {
  std::uint64_t n = 0;
  for (std::uint64_t end : w.packet_ends) n += end <= cut ? 1 : 0;
  return n;
}

std::uint64_t whole_end_before(const Written& w, std::uint64_t cut) {
  std::uint64_t end = w.header_end;
  for (std::uint64_t e : w.packet_ends) {
    if (e <= cut) end = e;
  }
  return end;
}

}  // namespace

TEST_CASE("recover_part_file: cut mid-packet and mid-header keeps the whole packets before") {
  for (CaptureFormat format : {CaptureFormat::pcap_micro, CaptureFormat::pcap_nano, CaptureFormat::pcapng}) {
    TempDir dir;
    const Written w = write_capture(dir.path / "source", format, 12);
    const std::uint64_t p4 = w.packet_ends[3];  // end of the 4th packet record
    const std::uint64_t cuts[] = {
        w.header_end,                 // headers only
        w.header_end + 3,             // inside the first record's header
        p4,                           // exactly after packet 4
        p4 + 5,                       // inside packet 5's record header
        p4 + 20,                      // inside packet 5's data
        w.packet_ends[4] - 1,         // one byte short of packet 5
        w.packet_ends[10] + 9,        // inside the last record
        w.packet_ends.back(),         // a whole file
    };
    for (std::uint64_t cut : cuts) {
      INFO("format " << static_cast<int>(format) << " cut at " << cut);
      const std::string name = "tlsring-000003-20261206T033000Z." +
                               std::string(format == CaptureFormat::pcapng ? "pcapng" : "pcap");
      const fs::path part = dir.path / (name + ".part");
      write_bytes(part, w.bytes, cut);

      auto recovered = recover_part_file(part);
      REQUIRE(recovered);
      const std::uint64_t expected_packets = packets_before(w, cut);
      const std::uint64_t expected_end = whole_end_before(w, cut);
      CHECK_FALSE(recovered->deleted);
      CHECK(recovered->final_path == dir.path / name);
      CHECK(recovered->packets_kept == expected_packets);
      CHECK(recovered->bytes_kept == expected_end);
      std::uint64_t expected_captured = 0;
      for (std::uint32_t i = 0; i < expected_packets; ++i) expected_captured += 60 + (i * 97) % 700;
      CHECK(recovered->captured_bytes_kept == expected_captured);
      CHECK(recovered->bytes_cut == cut - expected_end);
      CHECK(recovered->cut_reason.empty() == (cut == expected_end));
      CHECK_FALSE(fs::exists(part));
      REQUIRE(fs::file_size(dir.path / name) == expected_end);

      const ReadBack back = read_back(dir.path / name);
      CHECK(back.clean_end);
      REQUIRE(back.packets.size() == expected_packets);
      for (std::uint32_t i = 0; i < expected_packets; ++i) {
        CHECK(back.packets[i] == packet_bytes(i, 60 + (i * 97) % 700));
      }
      fs::remove(dir.path / name);
    }
  }
}

TEST_CASE("recover_part_file: no whole header means the file is deleted") {
  for (CaptureFormat format : {CaptureFormat::pcap_micro, CaptureFormat::pcapng}) {
    TempDir dir;
    const Written w = write_capture(dir.path / "source", format, 2);
    // pcap: a file header is 24 bytes; pcapng: the SHB alone is more than 24.
    for (std::uint64_t cut : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{11}, std::uint64_t{23}}) {
      INFO("cut at " << cut);
      const fs::path part = dir.path / "tlsring-000001-20261206T033000Z.pcapng.part";
      write_bytes(part, w.bytes, cut);
      auto recovered = recover_part_file(part);
      REQUIRE(recovered);
      CHECK(recovered->deleted);
      CHECK(recovered->final_path.empty());
      CHECK(recovered->packets_kept == 0);
      CHECK(recovered->bytes_cut == cut);
      CHECK_FALSE(fs::exists(part));
      CHECK_FALSE(fs::exists(dir.path / "tlsring-000001-20261206T033000Z.pcapng"));
    }
  }
}

TEST_CASE("recover_part_file: a zero-filled tail (crash after the size grew) is cut") {
  for (CaptureFormat format : {CaptureFormat::pcap_micro, CaptureFormat::pcapng}) {
    TempDir dir;
    const Written w = write_capture(dir.path / "source", format, 5);
    std::vector<std::uint8_t> bytes = w.bytes;
    bytes.resize(bytes.size() + 4096, 0);
    const fs::path part = dir.path / "x-000009-20261206T033000Z.pcap.part";
    write_bytes(part, bytes, bytes.size());
    auto recovered = recover_part_file(part);
    REQUIRE(recovered);
    CHECK(recovered->packets_kept == 5);
    CHECK(recovered->bytes_kept == w.bytes.size());
    CHECK(recovered->bytes_cut == 4096);
    CHECK(read_bytes(dir.path / "x-000009-20261206T033000Z.pcap") == w.bytes);
  }
}

TEST_CASE("recover_part_file: errors name the file and leave it alone") {
  TempDir dir;
  auto not_part = recover_part_file(dir.path / "tlsring-000001-20261206T033000Z.pcapng");
  REQUIRE_FALSE(not_part);
  CHECK_THAT(not_part.error().message, Catch::Contains("not a .part file"));

  auto missing = recover_part_file(dir.path / "gone.pcapng.part");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("gone.pcapng.part"));

  // The final name is taken: the .part stays where it is, untouched.
  const Written w = write_capture(dir.path / "source", CaptureFormat::pcapng, 3);
  const fs::path final_path = dir.path / "tlsring-000002-20261206T033000Z.pcapng";
  write_bytes(final_path, {9, 9, 9}, 3);
  write_bytes(fs::path(final_path.string() + ".part"), w.bytes, w.bytes.size());
  auto clash = recover_part_file(final_path.string() + ".part");
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message, Catch::Contains("exists"));
  CHECK(read_bytes(final_path) == std::vector<std::uint8_t>{9, 9, 9});
  CHECK(read_bytes(final_path.string() + ".part") == w.bytes);
}

TEST_CASE("recover_ring_directory: every .part of the prefix, the rest untouched") {
  TempDir dir;
  const Written w = write_capture(dir.path / "source", CaptureFormat::pcapng, 6);
  const fs::path done = dir.path / "tlsring-000001-20261206T030000Z.pcapng";
  write_bytes(done, w.bytes, w.bytes.size() - 7);  // a finished file is never touched, even cut
  const std::uint64_t cut = w.packet_ends[2] + 11;
  write_bytes(dir.path / "tlsring-000002-20261206T040000Z.pcapng.part", w.bytes, cut);
  write_bytes(dir.path / "tlsring-000003-20261206T050000Z.pcapng.part", w.bytes, 0);
  write_bytes(dir.path / "other-000004-20261206T050000Z.pcapng.part", w.bytes, cut);

  auto recovery = recover_ring_directory(dir.path, "tlsring");
  REQUIRE(recovery);
  CHECK(recovery->failures.empty());
  REQUIRE(recovery->files.size() == 2);
  CHECK(recovery->files[0].final_path == dir.path / "tlsring-000002-20261206T040000Z.pcapng");
  CHECK(recovery->files[0].packets_kept == 3);
  CHECK(recovery->files[0].bytes_cut == 11);
  CHECK(recovery->files[1].deleted);
  CHECK(fs::file_size(done) == w.bytes.size() - 7);
  CHECK(fs::exists(dir.path / "other-000004-20261206T050000Z.pcapng.part"));
  CHECK_FALSE(fs::exists(dir.path / "tlsring-000003-20261206T050000Z.pcapng.part"));
  CHECK_FALSE(fs::exists(dir.path / "tlsring-000003-20261206T050000Z.pcapng"));

  CHECK_FALSE(recover_ring_directory(dir.path / "missing", "tlsring"));
}

TEST_CASE("scan_whole_records: malformed records end the scan") {
  TempDir dir;
  const Written w = write_capture(dir.path / "source", CaptureFormat::pcapng, 4);
  // Corrupt the trailing length of packet 3's block: the scan keeps packets 1 and 2.
  std::vector<std::uint8_t> bytes = w.bytes;
  bytes[w.packet_ends[2] - 1] ^= 0x40;
  const CaptureScan scan = scan_whole_records(bytes);
  CHECK(scan.has_header);
  CHECK(scan.format == CaptureScan::Format::pcapng);
  CHECK(scan.packets == 2);
  CHECK(scan.whole_end == w.packet_ends[1]);
  CHECK_THAT(scan.stop_reason, Catch::Contains("trailing length") &&
                                   Catch::Contains("byte " + std::to_string(w.packet_ends[1])));

  const std::vector<std::uint8_t> junk = {'<', '!', 'D', 'O', 'C', 'T', 'Y', 'P', 'E'};
  const CaptureScan not_capture = scan_whole_records(junk);
  CHECK_FALSE(not_capture.has_header);
  CHECK(not_capture.whole_end == 0);
  CHECK_THAT(not_capture.stop_reason, Catch::Contains("not a pcap or pcapng"));

  const CaptureScan whole = scan_whole_records(w.bytes);
  CHECK(whole.packets == 4);
  CHECK(whole.whole_end == w.bytes.size());
  CHECK(whole.stop_reason.empty());
}
