// Files cut short at many offsets (copies of the reference captures, and
// large generated files that cross the reader's buffer refills): the reader
// must return exactly the whole records before the cut, then `truncated`.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "core/bytes/byte_reader.h"
#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"
#include "tests/unit/capture/fixture_facts.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;

namespace {

struct RecordEnd {
  std::size_t end = 0;
  bool is_packet = false;
  bool is_secrets = false;
};

// Where each record of a little-endian fixture ends, found by walking the
// record headers here in the test (the fixtures are all little-endian).
std::vector<RecordEnd> walk_records(const std::vector<std::uint8_t>& file) {
  std::vector<RecordEnd> ends;
  ByteReader reader(file);
  const std::uint32_t magic = *reader.u32le();
  if (magic == 0xa1b2c3d4) {
    ends.push_back({24, false, false});
    reader.skip(20);
    while (!reader.empty()) {
      reader.skip(8);
      const std::uint32_t captured = *reader.u32le();
      reader.skip(4 + captured);
      ends.push_back({reader.offset(), true, false});
    }
  } else {
    REQUIRE(magic == 0x0a0d0d0a);
    std::size_t offset = 0;
    while (offset < file.size()) {
      ByteReader block(Bytes(file).subspan(offset));
      const std::uint32_t type = *block.u32le();
      const std::uint32_t length = *block.u32le();
      offset += length;
      ends.push_back({offset, type == 6 || type == 3 || type == 2, type == 10});
    }
  }
  REQUIRE(ends.back().end == file.size());
  return ends;
}

void check_cut(const std::vector<std::uint8_t>& whole, const std::vector<RecordEnd>& ends,
               const test::ReadAll& full, std::size_t cut, capture::ReadMethod method) {
  INFO("cut at byte " << cut << " of " << whole.size());
  test::TempFile file(std::vector<std::uint8_t>(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut)));
  auto reader = CaptureReader::open(file.path(), method);
  if (cut < 4) {  // not even a magic number: not recognisable as a capture
    CHECK_FALSE(reader.ok());
    return;
  }
  REQUIRE(reader.ok());
  const auto all = test::read_all(**reader);
  std::size_t packets = 0;
  std::size_t secrets = 0;
  bool at_boundary = false;
  for (const auto& e : ends) {
    if (e.end > cut) break;
    packets += e.is_packet;
    secrets += e.is_secrets;
    at_boundary = e.end == cut;
  }
  REQUIRE(all.packets.size() == packets);
  CHECK(all.secrets.size() == secrets);
  for (std::size_t i = 0; i < packets; ++i) CHECK(all.packets[i].data == full.packets[i].data);
  if (at_boundary) {
    CHECK(all.final_kind == CaptureEvent::Kind::end);
  } else {
    CHECK(all.final_kind == CaptureEvent::Kind::truncated);
    CHECK_THAT(all.warning, Catch::StartsWith(file.path().string() + ": cut short at byte " + std::to_string(cut) +
                                              " inside "));
  }
}

}  // namespace

TEST_CASE("truncated fixtures: whole records, then truncated, at every record edge") {
  if (!test::have_wireshark_fixtures("truncated fixtures")) return;
  for (const auto& facts : test::fixture_facts()) {
    INFO("capture " << facts.file);
    const auto path = test::wireshark_fixtures_dir() / "captures" / facts.file;
    const auto whole = test::read_file_bytes(path);
    const auto ends = walk_records(whole);
    auto full_reader = CaptureReader::open(path);
    REQUIRE(full_reader.ok());
    const auto full = test::read_all(**full_reader);
    REQUIRE(full.packets.size() == facts.packets);

    std::set<std::size_t> cuts;
    for (std::size_t i = 0; i <= 40; ++i) cuts.insert(i);
    for (const auto& e : ends) {
      for (std::size_t delta : {std::size_t{1}, std::size_t{2}, std::size_t{9}}) {
        if (e.end >= delta) cuts.insert(e.end - delta);
      }
      cuts.insert(e.end);
      cuts.insert(e.end + 1);
      cuts.insert(e.end + 13);
    }
    for (const capture::ReadMethod method : test::kReadMethods) {
      INFO(test::describe(method));
      for (std::size_t cut : cuts) {
        if (cut <= whole.size()) check_cut(whole, ends, full, cut, method);
      }
    }
  }
}

TEST_CASE("large pcap: records cross buffer refills and one outgrows the buffer") {
  // About 12 MiB of records of random sizes (the reader's buffer starts at
  // 256 KiB, a mapped file's window is 1 MiB), with a 3 MiB record in the
  // middle; every byte must come back, copied or mapped.
  std::mt19937 random(20240611);
  test::ByteBuilder b;
  b.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(0x7fffffff).u32(1);
  std::vector<std::vector<std::uint8_t>> frames;
  for (int i = 0; i < 8000; ++i) {
    std::size_t size = i == 4000 ? (3u << 20) : std::uniform_int_distribution<std::size_t>(0, 2000)(random);
    std::vector<std::uint8_t> frame(size);
    for (auto& byte : frame) byte = static_cast<std::uint8_t>(random());
    const auto length = static_cast<std::uint32_t>(size);
    b.u32(static_cast<std::uint32_t>(i)).u32(0).u32(length).u32(length);
    b.raw(frame);
    frames.push_back(std::move(frame));
  }
  const capture::ReadMethod method = GENERATE(from_range(std::begin(test::kReadMethods), std::end(test::kReadMethods)));
  INFO(test::describe(method));
  test::TempFile file(b.bytes());
  auto reader = CaptureReader::open(file.path(), method);
  REQUIRE(reader.ok());
  std::size_t index = 0;
  for (;;) {
    const CaptureEvent event = (*reader)->next();
    if (event.kind != CaptureEvent::Kind::packet) {
      CHECK(event.kind == CaptureEvent::Kind::end);
      break;
    }
    REQUIRE(index < frames.size());
    REQUIRE(event.packet.data.size() == frames[index].size());
    REQUIRE(std::equal(event.packet.data.begin(), event.packet.data.end(), frames[index].begin()));
    CHECK(event.packet.timestamp_ns == static_cast<std::int64_t>(index) * 1'000'000'000);
    ++index;
  }
  CHECK(index == frames.size());

  // The same file cut in the middle of the big record.
  const auto& bytes = b.bytes();
  std::size_t big_start = 24;
  for (std::size_t i = 0; i < 4000; ++i) big_start += 16 + frames[i].size();
  const std::size_t cut = big_start + 16 + (1u << 20) + 3;
  test::TempFile cut_file(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)));
  auto cut_reader = CaptureReader::open(cut_file.path(), method);
  REQUIRE(cut_reader.ok());
  const auto all = test::read_all(**cut_reader);
  CHECK(all.packets.size() == 4000);
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK_THAT(all.warning, Catch::Contains("cut short at byte " + std::to_string(cut) + " inside a packet record"));
}
