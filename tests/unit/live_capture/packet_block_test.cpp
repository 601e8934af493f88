// PacketBlock: packets go in and come out unchanged and in order; a full
// block refuses the next packet without changing.
#include "daemon/capture/packet_block.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using tlsring::daemon::CapturedPacket;
using tlsring::daemon::PacketBlock;

namespace {

struct Stored {
  std::int64_t timestamp_ns;
  std::uint32_t interface_id;
  std::uint32_t original_length;
  std::string bytes;
};

CapturedPacket view(const Stored& s) {
  CapturedPacket p;
  p.timestamp_ns = s.timestamp_ns;
  p.interface_id = s.interface_id;
  p.original_length = s.original_length;
  p.data = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.bytes.data()), s.bytes.size());
  return p;
}

std::vector<Stored> read_back(const PacketBlock& block) {
  std::vector<Stored> out;
  block.for_each([&](const CapturedPacket& p) {
    out.push_back({p.timestamp_ns, p.interface_id, p.original_length,
                   std::string(reinterpret_cast<const char*>(p.data.data()), p.data.size())});
    return true;
  });
  return out;
}

}  // namespace

TEST_CASE("packet block: record sizes are a 24-byte header plus the bytes rounded up to 8") {
  CHECK(PacketBlock::record_size(0) == 24);
  CHECK(PacketBlock::record_size(1) == 32);
  CHECK(PacketBlock::record_size(8) == 32);
  CHECK(PacketBlock::record_size(1514) == 24 + 1520);
}

TEST_CASE("packet block: packets come back with every field, in append order") {
  const std::vector<Stored> packets = {
      {1'700'000'000'123'456'789, 0, 60, std::string("\x01\x02\x03", 3)},
      {-5, 7, 1514, std::string(1514, 'x')},
      {42, 1, 9000, std::string(96, 'y')},  // truncated by snaplen: original longer than kept
      {43, 2, 0, std::string()},
  };
  PacketBlock block(8192);
  for (const Stored& s : packets) REQUIRE(block.append(view(s)));
  CHECK(block.packet_count() == 4);
  CHECK(block.used_bytes() == 32 + (24 + 1520) + (24 + 96) + 24);

  const std::vector<Stored> back = read_back(block);
  REQUIRE(back.size() == packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    CHECK(back[i].timestamp_ns == packets[i].timestamp_ns);
    CHECK(back[i].interface_id == packets[i].interface_id);
    CHECK(back[i].original_length == packets[i].original_length);
    CHECK(back[i].bytes == packets[i].bytes);
  }
}

TEST_CASE("packet block: a packet that does not fit is refused and the block stays as it was") {
  PacketBlock block(100);                       // room for 24 + 72 = 96 bytes
  const Stored fits{1, 0, 72, std::string(72, 'a')};
  const Stored too_big{2, 0, 1, std::string(1, 'b')};  // needs 32 more, only 4 left
  REQUIRE(block.append(view(fits)));
  CHECK_FALSE(block.append(view(too_big)));
  CHECK(block.packet_count() == 1);
  CHECK(block.used_bytes() == 96);
  const auto back = read_back(block);
  REQUIRE(back.size() == 1);
  CHECK(back[0].bytes == fits.bytes);

  block.clear();
  CHECK(block.empty());
  CHECK(read_back(block).empty());
  REQUIRE(block.append(view(too_big)));
  CHECK(read_back(block)[0].bytes == "b");
}

TEST_CASE("packet block: for_each stops when the callback returns false") {
  PacketBlock block(1024);
  for (int i = 0; i < 5; ++i) REQUIRE(block.append(view({i, 0, 1, std::string(1, 'z')})));
  std::vector<std::int64_t> seen;
  const std::size_t visited = block.for_each([&](const CapturedPacket& p) {
    seen.push_back(p.timestamp_ns);
    return p.timestamp_ns < 2;
  });
  CHECK(visited == 3);
  CHECK(seen == std::vector<std::int64_t>{0, 1, 2});
}
