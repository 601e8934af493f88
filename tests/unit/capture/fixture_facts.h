// Facts about the reference captures in TLSRING_FIXTURES_DIR/wireshark, taken
// from Wireshark's own tools, not from tlsring:
//   capinfos -c -E -T -r FILE                     (packet count, encapsulation)
//   tshark -r FILE -T fields -e frame.len -e frame.cap_len -e frame.time_epoch -e tcp.len
//     (summed over all frames; first and last time_epoch as printed, in ns)
// and the pcapng block order from walking the block headers by hand.
#pragma once

#include "tests/support/skip.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace tlsring::test {

struct FixtureFacts {
  const char* file;             // under wireshark/captures/
  std::uint64_t packets;        // capinfos -c
  std::uint32_t link_type;      // capinfos -E (ether=1, linux-sll=113, rawip4=228)
  std::uint64_t wire_bytes;     // sum of frame.len
  std::uint64_t captured_bytes; // sum of frame.cap_len
  std::int64_t first_ns;        // frame.time_epoch of the first frame
  std::int64_t last_ns;         // frame.time_epoch of the last frame
  std::uint64_t tcp_payload;    // sum of tcp.len (every frame of these captures is TCP)
};

inline const std::vector<FixtureFacts>& fixture_facts() {
  static const std::vector<FixtureFacts> facts = {
      {"dhe1.pcapng", 16, 1, 1662, 1662, 1394575569493357000, 1394575581192989000, 590},
      {"dmgr.pcapng", 42, 113, 18835, 18835, 1433281126138011480, 1433281131640932283, 15963},
      {"http2-brotli.pcapng", 25, 1, 5162, 5162, 1554560882056576697, 1554560882079581575, 3496},
      {"http2-data-reassembly.pcap", 44, 1, 81423, 81423, 1491104776756167000, 1491104776947253000, 78491},
      {"rsasnakeoil2.pcap", 58, 1, 24105, 24105, 1145869455842911000, 1145869468211338000, 20245},
      {"tls12-aes128ccm.pcap", 9, 1, 1889, 1889, 1485725723743546000, 1485725725179128000, 1295},
      {"tls12-aes256gcm.pcap", 9, 1, 1896, 1896, 1485725799118265000, 1485725800519664000, 1302},
      {"tls12-chacha20poly1305.pcap", 64, 1, 42645, 42645, 1496428421844587000, 1496428422056817000, 38421},
      {"tls12-dsb.pcapng", 17, 228, 9190, 9190, 1542465083420067000, 1542465083425052000, 8306},
      {"tls13-20-chacha20poly1305.pcap", 16, 1, 10056, 10056, 1496415553617895000, 1496415899899394000, 9000},
      {"tls13-rfc8446.pcap", 13, 1, 3926, 3926, 1534444139498106000, 1534444142989544000, 3068},
  };
  return facts;
}

inline std::filesystem::path wireshark_fixtures_dir() {
  return std::filesystem::path(TLSRING_FIXTURES_DIR) / "wireshark";
}

// True when the reference captures are there; otherwise the calling test is
// skipped loudly (exit code 4: ctest counts it as skipped, never as passed).
inline bool have_wireshark_fixtures(const char* /*test_name*/) {
  tlsring::testing::wireshark_fixtures_or_skip();
  return true;
}

}  // namespace tlsring::test
