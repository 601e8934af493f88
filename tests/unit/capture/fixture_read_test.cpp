// Reads every reference capture and compares with what capinfos and tshark
// report for it (fixture_facts.h), and the embedded Decryption Secrets Blocks
// with the key-log files the fixture README says hold the same bytes.
#include <catch2/catch.hpp>

#include <set>

#include "core/capture/capture_reader.h"
#include "tests/unit/capture/capture_test_util.h"
#include "tests/unit/capture/fixture_facts.h"

using namespace tlsring;
using capture::CaptureEvent;
using capture::CaptureReader;

TEST_CASE("capture fixtures: packet counts, link types, lengths and timestamps match capinfos/tshark") {
  if (!test::have_wireshark_fixtures("capture fixtures")) return;
  // Every capture in the folder must be in the table, so a new fixture is not silently skipped.
  std::set<std::string> listed;
  for (const auto& facts : test::fixture_facts()) listed.insert(facts.file);
  for (const auto& entry : std::filesystem::directory_iterator(test::wireshark_fixtures_dir() / "captures")) {
    if (entry.is_regular_file()) CHECK(listed.count(entry.path().filename().string()) == 1);
  }

  for (const auto& facts : test::fixture_facts()) {
    INFO("capture " << facts.file);
    auto reader = CaptureReader::open(test::wireshark_fixtures_dir() / "captures" / facts.file);
    REQUIRE(reader.ok());
    const test::ReadAll all = test::read_all(**reader);
    CHECK(all.final_kind == CaptureEvent::Kind::end);
    CHECK(all.warning.empty());
    REQUIRE(all.packets.size() == facts.packets);
    CHECK(all.packets_read == facts.packets);
    std::uint64_t wire = 0;
    std::uint64_t captured = 0;
    for (const auto& packet : all.packets) {
      CHECK(packet.link_type == facts.link_type);
      CHECK(packet.interface_id == 0);
      wire += packet.original_length;
      captured += packet.data.size();
    }
    CHECK(wire == facts.wire_bytes);
    CHECK(captured == facts.captured_bytes);
    CHECK(all.packets.front().timestamp_ns == facts.first_ns);
    CHECK(all.packets.back().timestamp_ns == facts.last_ns);
    CHECK((*reader)->path() == test::wireshark_fixtures_dir() / "captures" / facts.file);
    // After the end, the reader keeps saying so.
    CHECK((*reader)->next().kind == CaptureEvent::Kind::end);
  }
}

TEST_CASE("capture fixtures: Decryption Secrets Blocks equal the key-log files") {
  if (!test::have_wireshark_fixtures("capture DSBs")) return;
  const auto dir = test::wireshark_fixtures_dir();

  SECTION("tls12-dsb.pcapng holds two TLS key-log DSBs, the second after packet 9") {
    auto reader = CaptureReader::open(dir / "captures/tls12-dsb.pcapng");
    REQUIRE(reader.ok());
    const auto all = test::read_all(**reader);
    REQUIRE(all.secrets.size() == 2);
    CHECK(all.secrets[0].type == capture::kSecretsTypeTlsKeyLog);
    CHECK(all.secrets[1].type == capture::kSecretsTypeTlsKeyLog);
    CHECK(all.secrets[0].data == test::read_file_bytes(dir / "keys/tls12-dsb-1.keys"));
    CHECK(all.secrets[1].data == test::read_file_bytes(dir / "keys/tls12-dsb-2.keys"));
    CHECK(all.secrets[0].after_packets == 0);
    CHECK(all.secrets[1].after_packets == 9);
  }
  SECTION("http2-brotli.pcapng holds one DSB, before the first packet") {
    auto reader = CaptureReader::open(dir / "captures/http2-brotli.pcapng");
    REQUIRE(reader.ok());
    const auto all = test::read_all(**reader);
    REQUIRE(all.secrets.size() == 1);
    CHECK(all.secrets[0].type == capture::kSecretsTypeTlsKeyLog);
    CHECK(all.secrets[0].data == test::read_file_bytes(dir / "keys/http2-brotli.dsb.keys"));
    CHECK(all.secrets[0].after_packets == 0);
  }
  SECTION("the other captures hold none") {
    for (const auto& facts : test::fixture_facts()) {
      const std::string name = facts.file;
      if (name == "tls12-dsb.pcapng" || name == "http2-brotli.pcapng") continue;
      auto reader = CaptureReader::open(dir / "captures" / name);
      REQUIRE(reader.ok());
      CHECK(test::read_all(**reader).secrets.empty());
    }
  }
}

TEST_CASE("capture fixtures: the first packet's bytes are the file's bytes at the known offset") {
  if (!test::have_wireshark_fixtures("capture first packet bytes")) return;
  // rsasnakeoil2.pcap: 24-byte file header, 16-byte record header, then the
  // first frame (74 bytes: a SYN on loopback, Ethernet type 0x0800).
  const auto path = test::wireshark_fixtures_dir() / "captures/rsasnakeoil2.pcap";
  const auto bytes = test::read_file_bytes(path);
  auto reader = CaptureReader::open(path);
  REQUIRE(reader.ok());
  const CaptureEvent first = (*reader)->next();
  REQUIRE(first.kind == CaptureEvent::Kind::packet);
  REQUIRE(first.packet.data.size() == 74);
  CHECK(std::equal(first.packet.data.begin(), first.packet.data.end(), bytes.begin() + 40));
  CHECK(first.packet.data[12] == 0x08);
  CHECK(first.packet.data[13] == 0x00);
}
