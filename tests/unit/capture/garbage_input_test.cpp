// Fuzz-like loops with a fixed seed: random files and randomly damaged copies
// of the reference captures. The reader must always finish (end, truncated or
// an open error), and never return a packet larger than the file.
#include <catch2/catch.hpp>

#include <random>

#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"
#include "tests/unit/capture/fixture_facts.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;

namespace {

// Reads the file if it opens; checks that the reader finished and stayed in bounds.
void read_garbage(const std::vector<std::uint8_t>& bytes) {
  test::TempFile file(bytes);
  auto reader = CaptureReader::open(file.path());
  if (!reader.ok()) {
    CHECK_THAT(reader.error().message, Catch::Contains(file.path().string()));
    return;
  }
  const auto all = test::read_all(**reader, 100'000);
  CHECK(all.packets_read == all.packets.size());
  for (const auto& packet : all.packets) {
    CHECK(packet.data.size() <= bytes.size());
    CHECK(packet.original_length >= packet.data.size());
  }
  if (all.final_kind == CaptureEvent::Kind::truncated) {
    CHECK_THAT(all.warning, Catch::StartsWith(file.path().string() + ": "));
  }
  CHECK((*reader)->next().kind == all.final_kind);
}

}  // namespace

TEST_CASE("garbage input: random files with capture magic numbers") {
  std::mt19937 random(12345);
  const std::vector<std::vector<std::uint8_t>> prefixes = {
      {0xd4, 0xc3, 0xb2, 0xa1}, {0xa1, 0xb2, 0xc3, 0xd4}, {0x4d, 0x3c, 0xb2, 0xa1}, {0xa1, 0xb2, 0x3c, 0x4d},
      {0x34, 0xcd, 0xb2, 0xa1}, {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a},
      {0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d}, {}};
  for (int i = 0; i < 1500; ++i) {
    std::vector<std::uint8_t> bytes = prefixes[static_cast<std::size_t>(i) % prefixes.size()];
    const std::size_t extra = std::uniform_int_distribution<std::size_t>(0, 600)(random);
    // Mostly small numbers, so that lengths and counts are often plausible.
    for (std::size_t j = 0; j < extra; ++j) {
      const auto r = random();
      bytes.push_back(static_cast<std::uint8_t>(r % 4 == 0 ? r >> 8 : (r >> 8) % 24));
    }
    INFO("iteration " << i);
    read_garbage(bytes);
  }
}

TEST_CASE("garbage input: damaged copies of the reference captures") {
  if (!test::have_wireshark_fixtures("garbage input fixtures")) return;
  std::mt19937 random(777);
  for (const auto& facts : test::fixture_facts()) {
    INFO("capture " << facts.file);
    const auto original = test::read_file_bytes(test::wireshark_fixtures_dir() / "captures" / facts.file);
    for (int i = 0; i < 120; ++i) {
      auto bytes = original;
      const int changes = std::uniform_int_distribution<int>(1, 8)(random);
      for (int c = 0; c < changes; ++c) {
        const std::size_t at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(random);
        bytes[at] = static_cast<std::uint8_t>(random());
      }
      if (i % 3 == 0) bytes.resize(std::uniform_int_distribution<std::size_t>(0, bytes.size())(random));
      INFO("iteration " << i);
      read_garbage(bytes);
    }
  }
}
