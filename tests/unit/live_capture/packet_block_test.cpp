// PacketBlock: packets go in as the records of a capture file (pcapng EPB or
// pcap record, laid out as the formats' specifications say) and come out
// unchanged and in order; a full block refuses the next packet without changing.
#include "daemon/capture/packet_block.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using tlsring::daemon::CapturedPacket;
using tlsring::daemon::PacketBlock;
using Format = tlsring::daemon::PacketBlock::Format;

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

std::uint32_t le32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (std::uint32_t{bytes[at + 3]} << 24);
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

TEST_CASE("packet block: a record is an Enhanced Packet Block padded to 4, or a 16-byte pcap header") {
  // pcapng: 28 bytes of header, the data padded to 4, the total length again.
  CHECK(PacketBlock::record_size(Format::pcapng, 0) == 32);
  CHECK(PacketBlock::record_size(Format::pcapng, 1) == 36);
  CHECK(PacketBlock::record_size(Format::pcapng, 1514) == 32 + 1516);
  CHECK(PacketBlock::record_size(Format::pcap_micro, 1514) == 16 + 1514);
  CHECK(PacketBlock::record_size(Format::pcap_nano, 3) == 19);
}

TEST_CASE("packet block: pcapng records hold every field where the EPB layout puts it") {
  const std::vector<Stored> packets = {
      {1'700'000'000'123'456'789, 0, 60, std::string("\x01\x02\x03", 3)},
      {5, 7, 1514, std::string(1514, 'x')},
      {42, 1, 9000, std::string(96, 'y')},  // truncated by snaplen: original longer than kept
      {43, 2, 0, std::string()},
  };
  PacketBlock block(8192, Format::pcapng);
  for (const Stored& s : packets) REQUIRE(block.append(view(s)));
  CHECK(block.packet_count() == 4);
  CHECK(block.used_bytes() == 36 + (32 + 1516) + (32 + 96) + 32);

  std::vector<std::span<const std::uint8_t>> records;
  const std::vector<Stored> back = [&] {
    std::vector<Stored> out;
    block.for_each([&](const CapturedPacket& p) {
      records.push_back(p.record);
      CHECK(p.record_format == Format::pcapng);
      out.push_back({p.timestamp_ns, p.interface_id, p.original_length,
                     std::string(reinterpret_cast<const char*>(p.data.data()), p.data.size())});
      return true;
    });
    return out;
  }();
  REQUIRE(back.size() == packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    CHECK(back[i].timestamp_ns == packets[i].timestamp_ns);
    CHECK(back[i].interface_id == packets[i].interface_id);
    CHECK(back[i].original_length == std::max<std::uint32_t>(packets[i].original_length,
                                                              static_cast<std::uint32_t>(packets[i].bytes.size())));
    CHECK(back[i].bytes == packets[i].bytes);
  }
  // The first record byte by byte (draft-ietf-opsawg-pcapng, Enhanced Packet Block).
  const auto first = records[0];
  REQUIRE(first.size() == 36);
  CHECK(le32(first, 0) == 6);                                   // block type
  CHECK(le32(first, 4) == 36);                                  // total length
  CHECK(le32(first, 8) == 0);                                   // interface
  const std::uint64_t ts = 1'700'000'000'123'456'789ull;
  CHECK(le32(first, 12) == static_cast<std::uint32_t>(ts >> 32));  // timestamp, high then low
  CHECK(le32(first, 16) == static_cast<std::uint32_t>(ts));
  CHECK(le32(first, 20) == 3);                                  // captured
  CHECK(le32(first, 24) == 60);                                 // original
  CHECK(first[28] == 1);
  CHECK(first[30] == 3);
  CHECK(first[31] == 0);                                        // padding
  CHECK(le32(first, 32) == 36);                                 // total length again
  // Records follow each other without gaps: a run of them is a piece of a file.
  for (std::size_t i = 1; i < records.size(); ++i) CHECK(records[i].data() == records[i - 1].data() + records[i - 1].size());
}

TEST_CASE("packet block: pcap records carry microseconds or nanoseconds and no interface") {
  const Stored packet{1'700'000'000'123'456'789, 0, 80, std::string(20, 'p')};
  PacketBlock micro(1024, Format::pcap_micro);
  PacketBlock nano(1024, Format::pcap_nano);
  REQUIRE(micro.append(view(packet)));
  REQUIRE(nano.append(view(packet)));
  micro.for_each([&](const CapturedPacket& p) {
    CHECK(p.timestamp_ns == 1'700'000'000'123'456'000);  // pcap(5): seconds, then microseconds
    CHECK(le32(p.record, 0) == 1'700'000'000u);
    CHECK(le32(p.record, 4) == 123'456u);
    CHECK(le32(p.record, 8) == 20u);
    CHECK(le32(p.record, 12) == 80u);
    CHECK(p.record.size() == 36);
    return true;
  });
  nano.for_each([&](const CapturedPacket& p) {
    CHECK(p.timestamp_ns == 1'700'000'000'123'456'789);
    CHECK(le32(p.record, 4) == 123'456'789u);
    CHECK(p.data.size() == 20);
    return true;
  });
}

TEST_CASE("packet block: a negative timestamp, which no format holds, is stored as 0") {
  PacketBlock block(256, Format::pcapng);
  REQUIRE(block.append(view({-5, 0, 1, std::string(1, 'n')})));
  CHECK(read_back(block)[0].timestamp_ns == 0);
}

TEST_CASE("packet block: a packet that does not fit is refused and the block stays as it was") {
  PacketBlock block(100, Format::pcapng);       // room for 32 + 64 = 96 bytes
  const Stored fits{1, 0, 64, std::string(64, 'a')};
  const Stored too_big{2, 0, 1, std::string(1, 'b')};  // needs 36 more, only 4 left
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
  PacketBlock block(1024, Format::pcapng);
  for (int i = 0; i < 5; ++i) REQUIRE(block.append(view({i, 0, 1, std::string(1, 'z')})));
  std::vector<std::int64_t> seen;
  const std::size_t visited = block.for_each([&](const CapturedPacket& p) {
    seen.push_back(p.timestamp_ns);
    return p.timestamp_ns < 2;
  });
  CHECK(visited == 3);
  CHECK(seen == std::vector<std::int64_t>{0, 1, 2});
}
