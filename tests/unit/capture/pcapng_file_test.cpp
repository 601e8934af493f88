// pcapng files built block by block in the test, as draft-ietf-opsawg-pcapng
// defines them: both byte orders, several sections, if_tsresol in powers of
// 10 and 2, if_tsoffset, Simple and obsolete Packet Blocks, Decryption
// Secrets Blocks, unknown blocks, and corrupt framing.
#include <catch2/catch.hpp>

#include <optional>

#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;
using test::ByteBuilder;

namespace {

test::ReadAll read_bytes(const std::vector<std::uint8_t>& bytes, std::string* path_out = nullptr) {
  test::TempFile file(bytes, ".pcapng");
  if (path_out != nullptr) *path_out = file.path().string();
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  return test::read_all(**reader);
}

std::vector<std::uint8_t> spb(bool be, std::uint32_t original, const std::vector<std::uint8_t>& data) {
  ByteBuilder body(be);
  body.u32(original).raw(data);
  return test::pcapng_block(be, 3, body.bytes());
}

std::vector<std::uint8_t> obsolete_pb(bool be, std::uint16_t interface_id, std::uint64_t ticks,
                                      const std::vector<std::uint8_t>& data, std::uint16_t drops = 0) {
  ByteBuilder body(be);
  body.u16(interface_id).u16(drops).u32(static_cast<std::uint32_t>(ticks >> 32)).u32(static_cast<std::uint32_t>(ticks));
  body.u32(static_cast<std::uint32_t>(data.size())).u32(static_cast<std::uint32_t>(data.size())).raw(data);
  return test::pcapng_block(be, 2, body.bytes());
}

std::vector<std::uint8_t> dsb(bool be, std::uint32_t type, const std::string& text) {
  ByteBuilder body(be);
  body.u32(type).u32(static_cast<std::uint32_t>(text.size()));
  body.raw(std::vector<std::uint8_t>(text.begin(), text.end()));
  return test::pcapng_block(be, 0x0a, body.bytes());
}

// An Interface Statistics Block with the options that are given.
struct Isb {
  std::uint32_t interface_id = 0;
  std::uint64_t ticks = 0;
  std::optional<std::uint64_t> start, received, interface_drops, os_drops;
};
std::vector<std::uint8_t> isb(bool be, const Isb& s) {
  ByteBuilder body(be);
  const auto ticks = [&](std::uint64_t t) {
    body.u32(static_cast<std::uint32_t>(t >> 32)).u32(static_cast<std::uint32_t>(t));
  };
  body.u32(s.interface_id);
  ticks(s.ticks);
  if (s.start) {
    body.u16(2).u16(8);
    ticks(*s.start);
  }
  if (s.received) body.u16(4).u16(8).u64(*s.received);
  if (s.interface_drops) body.u16(5).u16(8).u64(*s.interface_drops);
  if (s.os_drops) body.u16(7).u16(8).u64(*s.os_drops);
  body.u16(0).u16(0);
  return test::pcapng_block(be, 5, body.bytes());
}

// The statistics at the end of `bytes`, asked for after the first packet.
std::vector<capture::InterfaceStatistics> statistics_at_end(const std::vector<std::uint8_t>& bytes) {
  test::TempFile file(bytes, ".pcapng");
  auto reader = CaptureReader::open(file.path());
  REQUIRE(reader.ok());
  REQUIRE((*reader)->next().kind == CaptureEvent::Kind::packet);
  return (*reader)->statistics_at_end();
}

constexpr std::uint64_t kSecond = 1'000'000'000;
constexpr std::uint64_t kFirstPacket = 1'700'000'000 * kSecond;

}  // namespace

TEST_CASE("pcapng: big- and little-endian sections read the same") {
  for (bool be : {false, true}) {
    INFO("big-endian " << be);
    const std::vector<std::uint8_t> frame{1, 2, 3, 4, 5};
    const auto bytes = test::concat({test::pcapng_shb(be), test::pcapng_idb(be, 1, 0),
                                     test::pcapng_epb(be, 0, 1700000000'123456ULL, frame, 1514)});
    if (be) CHECK(bytes[8] == 0x1a);  // the byte-order magic as a big-endian writer stores it
    const auto all = read_bytes(bytes);
    CHECK(all.final_kind == CaptureEvent::Kind::end);
    REQUIRE(all.packets.size() == 1);
    CHECK(all.packets[0].data == frame);
    CHECK(all.packets[0].original_length == 1514);
    CHECK(all.packets[0].link_type == 1);
    CHECK(all.packets[0].timestamp_ns == 1700000000'123456000);  // default unit: microseconds
  }
}

TEST_CASE("pcapng: each interface has its own link type and timestamp unit") {
  const bool be = false;
  const auto bytes = test::concat({
      test::pcapng_shb(be),
      test::pcapng_idb(be, 1, 0, /*tsresol=*/9),                     // nanoseconds
      test::pcapng_idb(be, 113, 0, /*tsresol=*/0x80 | 10),           // 2^-10 s
      test::pcapng_idb(be, 228, 0, /*tsresol=*/3, true, -3600),      // milliseconds, one hour earlier
      test::pcapng_idb(be, 276, 0, /*tsresol=*/0x80 | 0, true, 100),  // whole seconds + 100 s
      test::pcapng_epb(be, 0, 1700000000'000000001ULL, {0xa}),
      test::pcapng_epb(be, 1, (1700000000ULL << 10) | 512, {0xb}),  // .5 s
      test::pcapng_epb(be, 2, 1700003600'250ULL, {0xc}),
      test::pcapng_epb(be, 3, 1699999900ULL, {0xd}),
  });
  const auto all = read_bytes(bytes);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 4);
  CHECK(all.packets[0].link_type == 1);
  CHECK(all.packets[0].timestamp_ns == 1700000000'000000001);
  CHECK(all.packets[1].link_type == 113);
  CHECK(all.packets[1].interface_id == 1);
  CHECK(all.packets[1].timestamp_ns == 1700000000'500000000);
  CHECK(all.packets[2].link_type == 228);
  CHECK(all.packets[2].timestamp_ns == 1700000000'250000000);
  CHECK(all.packets[3].link_type == 276);
  CHECK(all.packets[3].timestamp_ns == 1700000000'000000000);
}

TEST_CASE("pcapng: a new section resets the interfaces and may change byte order") {
  const auto bytes = test::concat({
      test::pcapng_shb(false), test::pcapng_idb(false, 1, 0), test::pcapng_idb(false, 101, 0),
      test::pcapng_epb(false, 1, 1, {0x61}),
      test::pcapng_shb(true), test::pcapng_idb(true, 229, 0, 9),
      test::pcapng_epb(true, 0, 5, {0x62}),
  });
  auto all = read_bytes(bytes);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 2);
  CHECK(all.packets[0].link_type == 101);
  CHECK(all.packets[0].timestamp_ns == 1000);
  CHECK(all.packets[1].link_type == 229);
  CHECK(all.packets[1].interface_id == 0);
  CHECK(all.packets[1].timestamp_ns == 5);

  // Interface 1 of the first section does not exist in the second one.
  const auto stale = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 0), test::pcapng_idb(false, 1, 0),
                                   test::pcapng_shb(false), test::pcapng_idb(false, 1, 0),
                                   test::pcapng_epb(false, 1, 1, {0x61})});
  std::string path;
  all = read_bytes(stale, &path);
  CHECK(all.packets.empty());
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  // SHB 28 + 2 IDB of 20 + SHB 28 + IDB 20 = 116
  CHECK(all.warning == path + ": corrupt record at byte 116 (packet refers to interface 1 but the section has 1); "
                              "packets before it were read");
}

TEST_CASE("pcapng: Simple Packet Blocks take the previous timestamp and the snaplen") {
  const bool be = true;
  const auto bytes = test::concat({
      test::pcapng_shb(be), test::pcapng_idb(be, 1, /*snaplen=*/4, 9),
      spb(be, 3, {7, 8, 9}),                 // before any timestamp: 0
      test::pcapng_epb(be, 0, 42, {1, 2}),
      spb(be, 1500, {1, 2, 3, 4}),           // cut to the 4-byte snaplen
  });
  const auto all = read_bytes(bytes);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 3);
  CHECK(all.packets[0].data == std::vector<std::uint8_t>{7, 8, 9});  // padding byte not included
  CHECK(all.packets[0].timestamp_ns == 0);
  CHECK(all.packets[2].timestamp_ns == 42);
  CHECK(all.packets[2].original_length == 1500);
  CHECK(all.packets[2].data == std::vector<std::uint8_t>{1, 2, 3, 4});
}

TEST_CASE("pcapng: the obsolete Packet Block (type 2) is read, with its drops count") {
  for (bool be : {false, true}) {
    INFO("big-endian " << be);
    const auto bytes = test::concat({test::pcapng_shb(be), test::pcapng_idb(be, 1, 0),
                                     obsolete_pb(be, 0, 2'000001, {0x11, 0x22, 0x33}),
                                     obsolete_pb(be, 0, 2'000002, {0x44}, 7),
                                     obsolete_pb(be, 0, 2'000003, {0x55}, 0xffff)});
    const auto all = read_bytes(bytes);
    REQUIRE(all.packets.size() == 3);
    CHECK(all.packets[0].data == std::vector<std::uint8_t>{0x11, 0x22, 0x33});
    CHECK(all.packets[0].timestamp_ns == 2'000001000);
    CHECK(all.packets[0].dropped_before == 0);
    CHECK(all.packets[1].dropped_before == 7);
    CHECK(all.packets[2].dropped_before == 0);  // 0xffff: the writer did not know
  }
}

TEST_CASE("pcapng: Decryption Secrets Blocks come in file order between packets") {
  for (bool be : {false, true}) {
    INFO("big-endian " << be);
    const auto bytes = test::concat({
        test::pcapng_shb(be), dsb(be, capture::kSecretsTypeTlsKeyLog, "CLIENT_RANDOM aa bb\n"),
        test::pcapng_idb(be, 1, 0), test::pcapng_epb(be, 0, 1, {1}),
        dsb(be, 0x5353484b /* SSH keys */, "x"), test::pcapng_epb(be, 0, 2, {2}),
    });
    test::TempFile file(bytes, ".pcapng");
    auto reader = CaptureReader::open(file.path());
    REQUIRE(reader.ok());
    CaptureEvent e = (*reader)->next();
    REQUIRE(e.kind == CaptureEvent::Kind::secrets);
    CHECK(e.secrets_type == 0x544c534b);
    CHECK(std::string(e.secrets.begin(), e.secrets.end()) == "CLIENT_RANDOM aa bb\n");
    CHECK((*reader)->next().kind == CaptureEvent::Kind::packet);
    e = (*reader)->next();
    REQUIRE(e.kind == CaptureEvent::Kind::secrets);
    CHECK(e.secrets_type == 0x5353484b);
    CHECK(e.secrets.size() == 1);
    CHECK((*reader)->next().kind == CaptureEvent::Kind::packet);
    CHECK((*reader)->next().kind == CaptureEvent::Kind::end);
    CHECK((*reader)->packets_read() == 2);
  }
}

TEST_CASE("pcapng: unknown and non-packet blocks are skipped by their length") {
  const bool be = false;
  ByteBuilder nrb(be);  // a name resolution block: ipv4 record 1.2.3.4 "a", end
  nrb.u16(1).u16(6).raw({1, 2, 3, 4, 'a', 0}).pad4().u16(0).u16(0);
  const auto bytes = test::concat({
      test::pcapng_shb(be), test::pcapng_block(be, 0x0BAD, {1, 2, 3, 4, 5, 6, 7, 8}), test::pcapng_idb(be, 1, 0),
      test::pcapng_block(be, 4, nrb.bytes()), test::pcapng_block(be, 5, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
      test::pcapng_block(be, 0x40000BAD, {}), test::pcapng_epb(be, 0, 1, {0x99}),
  });
  const auto all = read_bytes(bytes);
  CHECK(all.final_kind == CaptureEvent::Kind::end);
  REQUIRE(all.packets.size() == 1);
  CHECK(all.packets[0].data == std::vector<std::uint8_t>{0x99});
}

TEST_CASE("pcapng: corrupt framing ends the stream with a warning that names the offset") {
  const auto head = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 0),
                                  test::pcapng_epb(false, 0, 1, {1, 2, 3, 4})});
  REQUIRE(head.size() == 28 + 20 + 36);
  struct Case {
    const char* name;
    std::vector<std::uint8_t> block;
    const char* reason;
  };
  ByteBuilder odd;  // length 13: not a multiple of 4
  odd.u32(6).u32(13).u32(0).u8(0);
  ByteBuilder mismatch;  // trailing length differs
  mismatch.u32(6).u32(32).u32(0).u32(0).u32(0).u32(0).u32(0).u32(36);
  ByteBuilder huge;  // 1 GiB block
  huge.u32(6).u32(1u << 30).u32(0).u32(0);
  ByteBuilder overlong;  // EPB that says it captured more than the block holds
  overlong.u32(6).u32(36).u32(0).u32(0).u32(0).u32(100).u32(100).u32(0).u32(36);
  const Case cases[] = {
      {"length not a multiple of 4", odd.bytes(), "block length 13"},
      {"trailing length differs", mismatch.bytes(), "differs from its trailing copy 36"},
      {"length over the limit", huge.bytes(), "block length 1073741824"},
      {"captured length past the block", overlong.bytes(), "declares 100 captured bytes"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::string path;
    const auto all = read_bytes(test::concat({head, c.block, test::pcapng_epb(false, 0, 1, {5})}), &path);
    CHECK(all.packets.size() == 1);
    CHECK(all.final_kind == CaptureEvent::Kind::truncated);
    CHECK_THAT(all.warning, Catch::StartsWith(path + ": corrupt record at byte 84 (") && Catch::Contains(c.reason) &&
                                Catch::EndsWith("; packets before it were read"));
  }
}

TEST_CASE("pcapng: a file cut inside a packet block returns whole blocks, then truncated") {
  const auto whole = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 0),
                                   test::pcapng_epb(false, 0, 1, {1, 2, 3, 4}),
                                   test::pcapng_epb(false, 0, 2, {5, 6, 7, 8})});
  const std::vector<std::uint8_t> cut(whole.begin(), whole.end() - 5);
  std::string path;
  const auto all = read_bytes(cut, &path);
  REQUIRE(all.packets.size() == 1);
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK(all.warning == path + ": cut short at byte " + std::to_string(cut.size()) +
                           " inside a packet record (the capture was not closed cleanly); packets before it were read");
}

TEST_CASE("pcapng: an unknown byte-order magic is not a capture") {
  ByteBuilder b;
  b.u32(0x0a0d0d0a).u32(28).u32(0x11223344).u16(1).u16(0).u64(0).u32(28);
  test::TempFile file(b.bytes(), ".pcapng");
  auto reader = CaptureReader::open(file.path());
  REQUIRE_FALSE(reader.ok());
  CHECK_THAT(reader.error().message,
             Catch::Contains("not a pcap or pcapng capture file (it starts with bytes 0a 0d 0d 0a)"));
}

TEST_CASE("pcapng: a major version other than 1 is refused") {
  ByteBuilder body;
  body.u32(0x1a2b3c4d).u16(2).u16(0).u64(0);
  std::string path;
  const auto all = read_bytes(test::pcapng_block(false, 0x0a0d0d0a, body.bytes()), &path);
  CHECK(all.final_kind == CaptureEvent::Kind::truncated);
  CHECK_THAT(all.warning, Catch::Contains("corrupt record at byte 0 (unsupported pcapng version 2.0)"));
}

TEST_CASE("pcapng: the statistics blocks that end a file are read ahead of its packets, in either byte order") {
  for (bool be : {false, true}) {
    INFO("big-endian " << be);
    const std::vector<std::uint8_t> frame{1, 2, 3, 4};
    const auto bytes = test::concat(
        {test::pcapng_shb(be), test::pcapng_idb(be, 1, 0, 9), test::pcapng_idb(be, 1, 0, 9),
         test::pcapng_epb(be, 0, kFirstPacket, frame),
         isb(be, {0, kFirstPacket + kSecond, {}, {}, 99, {}}),  // followed by a packet: not at the end
         test::pcapng_epb(be, 1, kFirstPacket + 2 * kSecond, frame),
         isb(be, {0, kFirstPacket + 5 * kSecond, kFirstPacket - kSecond, 10, 3, 4}),
         isb(be, {1, kFirstPacket + 5 * kSecond, {}, 8, {}, {}})});
    const auto found = statistics_at_end(bytes);
    REQUIRE(found.size() == 2);
    CHECK(found[0].interface_id == 0);
    CHECK(found[0].timestamp_ns == static_cast<std::int64_t>(kFirstPacket + 5 * kSecond));
    CHECK(found[0].start_ns == static_cast<std::int64_t>(kFirstPacket - kSecond));
    CHECK(found[0].received == 10u);
    CHECK(found[0].dropped == 7u);  // isb_ifdrop + isb_osdrop
    CHECK(found[1].interface_id == 1);
    CHECK_FALSE(found[1].start_ns.has_value());
    CHECK(found[1].received == 8u);
    CHECK_FALSE(found[1].dropped.has_value());  // not counted is not none

    // They yield no events: the packets come as before.
    const auto all = read_bytes(bytes);
    CHECK(all.final_kind == CaptureEvent::Kind::end);
    CHECK(all.packets.size() == 2);
  }
}

TEST_CASE("pcapng: statistics times are placed in the interface's unit or else in microseconds, or not at all") {
  const std::vector<std::uint8_t> frame{1, 2, 3, 4};
  const auto with = [&](const Isb& s) {
    return statistics_at_end(test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 0, 9),
                                           test::pcapng_epb(false, 0, kFirstPacket, frame), isb(false, s)}));
  };
  // Nanoseconds, as if_tsresol says.
  auto found = with({0, kFirstPacket + kSecond, kFirstPacket, {}, 1, {}});
  REQUIRE(found.size() == 1);
  CHECK(found[0].timestamp_ns == static_cast<std::int64_t>(kFirstPacket + kSecond));
  // Microseconds under a nanosecond interface, as dumpcap 4.0 writes them.
  found = with({0, (kFirstPacket + kSecond) / 1000, kFirstPacket / 1000, {}, 1, {}});
  REQUIRE(found.size() == 1);
  CHECK(found[0].timestamp_ns == static_cast<std::int64_t>(kFirstPacket + kSecond));
  CHECK(found[0].start_ns == static_cast<std::int64_t>(kFirstPacket));
  // Read before the first packet in either unit, or starting after they were
  // read: the count stays, the times go.
  for (const Isb& unplaced : {Isb{0, 12345, {}, {}, 1, {}}, Isb{0, kFirstPacket + kSecond, kFirstPacket + 2 * kSecond, {}, 1, {}}}) {
    found = with(unplaced);
    REQUIRE(found.size() == 1);
    CHECK_FALSE(found[0].timestamp_ns.has_value());
    CHECK_FALSE(found[0].start_ns.has_value());
    CHECK(found[0].dropped == 1u);
  }
  // Saturated counts do not wrap.
  found = with({0, kFirstPacket + kSecond, {}, {}, ~std::uint64_t{0}, 5});
  REQUIRE(found.size() == 1);
  CHECK(found[0].dropped == ~std::uint64_t{0});
}

TEST_CASE("pcapng: no statistics are read ahead where the file does not end with whole ones for known interfaces") {
  const std::vector<std::uint8_t> frame{1, 2, 3, 4};
  const auto head = test::concat({test::pcapng_shb(false), test::pcapng_idb(false, 1, 0, 9),
                                  test::pcapng_epb(false, 0, kFirstPacket, frame)});
  const Isb counts{0, kFirstPacket + kSecond, {}, {}, 1, {}};
  // Ends with a packet.
  CHECK(statistics_at_end(test::concat({head, isb(false, counts), test::pcapng_epb(false, 0, kFirstPacket, frame)}))
            .empty());
  // For an interface the section does not have.
  CHECK(statistics_at_end(test::concat({head, isb(false, {7, kFirstPacket + kSecond, {}, {}, 1, {}})})).empty());
  // Cut inside the block, or its trailing length differs from its leading one.
  auto cut = test::concat({head, isb(false, counts)});
  cut.resize(cut.size() - 2);
  CHECK(statistics_at_end(cut).empty());
  auto mismatched = test::concat({head, isb(false, counts)});
  mismatched[mismatched.size() - 4] += 4;
  CHECK(statistics_at_end(mismatched).empty());
}
