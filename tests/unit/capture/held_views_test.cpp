// CaptureReader::hold_views(): the views of packets stay valid after next()
// until release_before() passes them, across the reader's buffer boundaries,
// for pcap and pcapng, while a reader without it still yields the same bytes.
#include <catch2/catch.hpp>

#include <cstring>

#include "core/capture/buffered_file.h"
#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;
using test::ByteBuilder;

namespace {

// Packet i: `size(i)` bytes, each (i * 7 + k) mod 251, so every packet differs.
std::vector<std::uint8_t> packet_bytes(std::size_t i) {
  const std::size_t size = 60 + (i * 37) % 1400;
  std::vector<std::uint8_t> data(size);
  for (std::size_t k = 0; k < size; ++k) data[k] = static_cast<std::uint8_t>((i * 7 + k) % 251);
  return data;
}

// Enough packets for several of the reader's buffers (BufferedFile::kInitialCapacity).
constexpr std::size_t kPackets = 4000;

std::vector<std::uint8_t> make_pcap() {
  ByteBuilder b;
  b.u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  for (std::size_t i = 0; i < kPackets; ++i) {
    const auto data = packet_bytes(i);
    b.u32(1700000000).u32(static_cast<std::uint32_t>(i)).u32(static_cast<std::uint32_t>(data.size()))
        .u32(static_cast<std::uint32_t>(data.size())).raw(data);
  }
  return b.bytes();
}

std::vector<std::uint8_t> make_pcapng() {
  std::vector<std::uint8_t> bytes = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 65535)});
  for (std::size_t i = 0; i < kPackets; ++i) {
    const auto block = test::pcapng_epb(false, 0, 1000 + i, packet_bytes(i));
    bytes.insert(bytes.end(), block.begin(), block.end());
  }
  return bytes;
}

struct Held {
  std::span<const std::uint8_t> data;
  std::uint64_t offset;  // where its record starts
};

// Reads everything while holding every view, releasing those `keep` packets
// behind, then checks each view still held against the bytes it must show.
void check_held_views(const std::vector<std::uint8_t>& file_bytes, std::size_t keep) {
  const capture::ReadMethod method = GENERATE(from_range(std::begin(test::kReadMethods), std::end(test::kReadMethods)));
  INFO(test::describe(method));
  test::TempFile file(file_bytes);
  auto opened = CaptureReader::open(file.path(), method);
  REQUIRE(opened.ok());
  CaptureReader& reader = *opened.value();
  REQUIRE(reader.hold_views());
  std::vector<Held> held;
  std::size_t released = 0;
  for (;;) {
    const std::uint64_t offset = reader.offset();
    CaptureEvent event = reader.next();
    if (event.kind != CaptureEvent::Kind::packet) {
      CHECK(event.kind == CaptureEvent::Kind::end);
      break;
    }
    held.push_back({event.packet.data, offset});
    if (held.size() - released > keep) {
      ++released;
      reader.release_before(held[released].offset);
    }
  }
  REQUIRE(held.size() == kPackets);
  std::size_t wrong = 0;
  for (std::size_t i = released; i < held.size(); ++i) {
    const auto expected = packet_bytes(i);
    if (held[i].data.size() != expected.size() ||
        std::memcmp(held[i].data.data(), expected.data(), expected.size()) != 0) {
      ++wrong;
    }
  }
  CHECK(wrong == 0);
}

}  // namespace

TEST_CASE("hold_views: every packet view stays valid until released, pcap") {
  const auto bytes = make_pcap();
  REQUIRE(bytes.size() > 2 * capture::BufferedFile::kInitialCapacity);
  check_held_views(bytes, kPackets);  // nothing released: all of them
  check_held_views(bytes, 1000);      // a window that spans buffer boundaries
}

TEST_CASE("hold_views: every packet view stays valid until released, pcapng") {
  const auto bytes = make_pcapng();
  REQUIRE(bytes.size() > 2 * capture::BufferedFile::kInitialCapacity);
  check_held_views(bytes, kPackets);
  check_held_views(bytes, 1000);
}

TEST_CASE("hold_views: a reader that does not hold reads the same packets") {
  test::TempFile file(make_pcap());
  auto opened = CaptureReader::open(file.path());
  REQUIRE(opened.ok());
  const auto all = test::read_all(*opened.value());
  REQUIRE(all.packets.size() == kPackets);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < kPackets; ++i) wrong += all.packets[i].data != packet_bytes(i) ? 1 : 0;
  CHECK(wrong == 0);
}
