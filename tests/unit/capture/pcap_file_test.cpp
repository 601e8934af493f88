// Classic pcap files built byte by byte in the test, as the format
// (draft-ietf-opsawg-pcap) defines them, in both byte orders and both
// timestamp resolutions; and the errors of CaptureReader::open.
#include <catch2/catch.hpp>

#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;
using test::ByteBuilder;

namespace {

std::vector<std::uint8_t> pcap_header(bool big_endian, std::uint32_t magic, std::uint32_t link_type) {
  ByteBuilder b(big_endian);
  b.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(link_type);
  return b.bytes();
}

std::vector<std::uint8_t> pcap_record(bool big_endian, std::uint32_t sec, std::uint32_t frac,
                                      const std::vector<std::uint8_t>& data, std::uint32_t original) {
  ByteBuilder b(big_endian);
  b.u32(sec).u32(frac).u32(static_cast<std::uint32_t>(data.size())).u32(original).raw(data);
  return b.bytes();
}

// Reads a pcap of one whole record followed by `tail`, which must end it: the
// one packet, then truncated, with a warning that names the file.
test::ReadAll read_one_record_then(const std::vector<std::uint8_t>& tail) {
  test::TempFile file(test::concat({pcap_header(false, 0xa1b2c3d4, 1), pcap_record(false, 1, 0, {9, 9}, 2), tail}));
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  auto all = test::read_all(**reader);
  CHECK(all.packets.size() == 1);
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK_THAT(all.warning, Catch::Contains(file.path().string()));
  return all;
}

}  // namespace

TEST_CASE("pcap: microsecond and nanosecond files in both byte orders") {
  const std::vector<std::uint8_t> frame1{0xde, 0xad, 0xbe, 0xef, 0x01};
  const std::vector<std::uint8_t> frame2{0x42};
  struct Variant {
    const char* name;
    bool big_endian;
    std::uint32_t magic;
    std::int64_t expected_first_ns;
  };
  // 1700000000 s plus 123456 micro- or nanoseconds.
  const Variant variants[] = {
      {"micro, little-endian", false, 0xa1b2c3d4, 1700000000'123456000},
      {"micro, big-endian", true, 0xa1b2c3d4, 1700000000'123456000},
      {"nano, little-endian", false, 0xa1b23c4d, 1700000000'000123456},
      {"nano, big-endian", true, 0xa1b23c4d, 1700000000'000123456},
  };
  for (const auto& v : variants) {
    INFO(v.name);
    const auto bytes = test::concat({pcap_header(v.big_endian, v.magic, 1),
                                     pcap_record(v.big_endian, 1700000000, 123456, frame1, 60),
                                     pcap_record(v.big_endian, 1700000001, 0, frame2, 1)});
    if (v.big_endian) CHECK(bytes[0] == 0xa1);  // the magic as a big-endian writer stores it
    test::TempFile file(bytes);
    auto reader = CaptureReader::open(file.path());
    REQUIRE(reader.ok());
    const auto all = test::read_all(**reader);
    CHECK(all.final_kind == CaptureEvent::Kind::end);
    REQUIRE(all.packets.size() == 2);
    CHECK(all.packets[0].timestamp_ns == v.expected_first_ns);
    CHECK(all.packets[0].data == frame1);
    CHECK(all.packets[0].original_length == 60);
    CHECK(all.packets[0].link_type == 1);
    CHECK(all.packets[1].timestamp_ns == 1700000001'000000000);
    CHECK(all.packets[1].data == frame2);
  }
}

TEST_CASE("pcap: link type comes from the header, without its FCS bits") {
  // Bits 28-31 of the link-type field give an FCS length, bit 26 says it is present.
  const auto bytes = test::concat({pcap_header(false, 0xa1b2c3d4, 0x40000000u | 0x04000000u | 228),
                                   pcap_record(false, 1, 2, {0x45}, 1)});
  test::TempFile file(bytes);
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  REQUIRE(all.packets.size() == 1);
  CHECK(all.packets[0].link_type == 228);
}

TEST_CASE("pcap: Kuznetzov's modified format has 24-byte record headers") {
  ByteBuilder b;
  b.raw(pcap_header(false, 0xa1b2cd34, 1));
  b.u32(10).u32(20).u32(3).u32(3).u32(7 /*ifindex*/).u16(0x0800).u8(0).u8(0).raw({1, 2, 3});
  test::TempFile file(b.bytes());
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 1);
  CHECK(all.packets[0].data == std::vector<std::uint8_t>{1, 2, 3});
  CHECK(all.packets[0].timestamp_ns == 10'000020000);
}

TEST_CASE("pcap: a header-only file is a clean, empty capture") {
  test::TempFile file(pcap_header(false, 0xa1b2c3d4, 1));
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  CHECK(all.packets.empty());
}

TEST_CASE("pcap: a record that declares more than 256 MiB is corrupt, not allocated") {
  ByteBuilder bad;
  bad.u32(2).u32(0).u32(0x7fffffff).u32(0x7fffffff).raw({1, 2, 3, 4});
  const auto all = read_one_record_then(bad.bytes());
  // The bad record starts after the 24-byte header and the 18-byte first record.
  CHECK_THAT(all.warning, Catch::Contains("corrupt record at byte 42") && Catch::Contains("256 MiB"));
}

TEST_CASE("pcap: zeros where a record header should be end the file, not read as empty packets") {
  // What a crash leaves on some file systems: the file's size written, its last blocks not.
  const auto all = read_one_record_then(std::vector<std::uint8_t>(4096, 0));
  CHECK_THAT(all.warning, Catch::Contains("corrupt record at byte 42") &&
                              Catch::Contains("a record header of zeros: the file holds zeros from here on"));
}

TEST_CASE("pcap: a file cut inside a record returns the whole records, then truncated") {
  const auto whole = test::concat({pcap_header(false, 0xa1b2c3d4, 1), pcap_record(false, 1, 0, {1, 2, 3, 4}, 4),
                                   pcap_record(false, 2, 0, {5, 6, 7, 8}, 4)});
  REQUIRE(whole.size() == 24 + 20 + 20);
  const std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + 24 + 20 + 18);
  test::TempFile file(cut);
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  REQUIRE(all.packets.size() == 1);
  CHECK(all.packets[0].data == std::vector<std::uint8_t>{1, 2, 3, 4});
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK(all.warning == file.path().string() +
                           ": cut short at byte 62 inside a packet record (the capture was not closed cleanly); "
                           "packets before it were read");
  // The terminal event repeats.
  const CaptureEvent again = (*reader)->next();
  CHECK(again.kind == CaptureEvent::Kind::truncated);
  CHECK(again.warning == all.warning);
}

TEST_CASE("pcap: a file cut inside its file header is truncated, not an open error") {
  const auto header = pcap_header(false, 0xa1b23c4d, 1);
  test::TempFile file(std::vector<std::uint8_t>(header.begin(), header.begin() + 10));
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  CHECK(all.packets.empty());
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK_THAT(all.warning, Catch::Contains("cut short at byte 10 inside the pcap file header"));
}

TEST_CASE("open: errors name the file and say what is wrong") {
  SECTION("missing file") {
    const auto path = std::filesystem::temp_directory_path() / "tlsring-no-such-capture.pcap";
    auto reader = CaptureReader::open(path);
    REQUIRE_FALSE(reader.ok());
    CHECK(reader.error().message == "cannot open " + path.string() + ": No such file or directory");
  }
  SECTION("empty file") {
    test::TempFile file({});
    auto reader = CaptureReader::open(file.path());
    REQUIRE_FALSE(reader.ok());
    CHECK(reader.error().message == file.path().string() + ": empty file (0 bytes), not a pcap or pcapng capture");
  }
  SECTION("an HTML page") {
    const std::string html = "<!DOCTYPE html><html></html>";
    test::TempFile file(std::vector<std::uint8_t>(html.begin(), html.end()));
    auto reader = CaptureReader::open(file.path());
    REQUIRE_FALSE(reader.ok());
    CHECK(reader.error().message ==
          file.path().string() + ": not a pcap or pcapng capture file (it starts with bytes 3c 21 44 4f)");
  }
  SECTION("a gzip file gets a hint") {
    test::TempFile file({0x1f, 0x8b, 0x08, 0x00, 0x00});
    auto reader = CaptureReader::open(file.path());
    REQUIRE_FALSE(reader.ok());
    CHECK_THAT(reader.error().message, Catch::Contains("1f 8b 08 00") && Catch::Contains("gzip"));
  }
  SECTION("a file shorter than a magic number") {
    test::TempFile file({0xd4, 0xc3});
    auto reader = CaptureReader::open(file.path());
    REQUIRE_FALSE(reader.ok());
    CHECK_THAT(reader.error().message, Catch::Contains("(it starts with bytes d4 c3)"));
  }
  SECTION("a directory") {
    auto reader = CaptureReader::open(std::filesystem::temp_directory_path());
    REQUIRE_FALSE(reader.ok());
    CHECK_THAT(reader.error().message, Catch::Contains(std::filesystem::temp_directory_path().string()) &&
                                           Catch::Contains("Is a directory"));
  }
}
