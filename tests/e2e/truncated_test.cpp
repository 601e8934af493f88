// 8. A capture file cut short (as a crash or a full disk leaves it): the engine
// reads up to the cut, says so, and every connection completed before the cut
// decrypts exactly.
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

namespace {

std::uint32_t le32(const std::string& bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3])) << 24;
}

// Packets whose record lies wholly within the first `cut` bytes of a
// little-endian file: pcap (24-byte file header, 16-byte record headers with
// incl_len at +8) or pcapng (blocks: type, total length; Enhanced Packet
// Block = type 6).
std::uint64_t whole_packets(const std::string& file, std::size_t cut, capture::CaptureFormat format) {
  std::uint64_t packets = 0;
  if (format == capture::CaptureFormat::pcapng) {
    for (std::size_t at = 0; at + 8 <= cut;) {
      const std::uint32_t type = le32(file, at);
      const std::uint32_t length = le32(file, at + 4);
      REQUIRE(length >= 12);
      if (at + length > cut) break;
      if (type == 6) ++packets;
      at += length;
    }
  } else {
    for (std::size_t at = 24; at + 16 <= cut;) {
      const std::size_t length = 16 + le32(file, at + 8);
      if (at + length > cut) break;
      ++packets;
      at += length;
    }
  }
  return packets;
}

}  // namespace

TEST_CASE("A capture file cut short at 60%: truncated, a warning naming the file, earlier connections exact",
          "[e2e][truncated]") {
  for (auto format : {capture::CaptureFormat::pcapng, capture::CaptureFormat::pcap_nano}) {
    INFO("format " << capture::format_name(format));
    TempDir dir;
    testgen::ScenarioConfig config = base_config(dir.path(), "AES128-GCM-SHA256", 10);
    config.output.format = format;
    config.specs[0].traffic.exchanges = 6;
    const auto scenario = generate_ok(config);
    REQUIRE(scenario.files.size() == 1);

    const std::string whole = read_bytes(scenario.files[0].path);
    const std::size_t cut = whole.size() * 6 / 10;
    const std::uint64_t packets_before_cut = whole_packets(whole, cut, format);
    const fs::path cut_file = dir.path() / ("cut-short." + std::string(capture::format_extension(format)));
    {
      std::ofstream out(cut_file, std::ios::binary);
      out.write(whole.data(), static_cast<std::streamsize>(cut));
    }
    // Cut inside a packet record, so the reader meets half a record.
    REQUIRE(whole_packets(whole, cut + 1, format) == packets_before_cut);

    decrypt::KeyStore keys;
    keys.add_unbound_key(load_key(scenario.key_pem));
    auto run = decrypt_files(keys, {cut_file});
    const auto& summary = run->files[0];
    CHECK(summary.truncated);
    REQUIRE_FALSE(summary.warnings.empty());
    bool named = false;
    for (const auto& w : summary.warnings) named = named || w.find(cut_file.filename().string()) != std::string::npos;
    INFO("warnings: " << summary.warnings[0]);
    CHECK(named);
    CHECK(summary.packets == packets_before_cut);

    std::size_t complete = 0;
    for (const auto& c : scenario.connections) {
      if (c.last_packet <= packets_before_cut) {
        ++complete;
        check_exact(*run, c);
      } else if (c.first_packet <= packets_before_cut) {
        // Cut in the middle: reported once, with whatever it got, all of it right.
        const RecordedConnection* got = find_connection(*run, c);
        REQUIRE(got != nullptr);
        INFO(describe(*got));
        CHECK(got->ends == 1);
        const auto sent = sent_plaintext(c);
        CHECK(sent[0].compare(0, got->c2s().size(), got->c2s()) == 0);
        CHECK(sent[1].compare(0, got->s2c().size(), got->s2c()) == 0);
      } else {
        CHECK(find_connection(*run, c) == nullptr);
      }
    }
    // 60% of ten equal connections: about six are whole.
    CHECK(complete >= 4);
    CHECK(complete < scenario.connections.size());
  }
}
