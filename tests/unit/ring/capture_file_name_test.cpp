// Capture file names: expected names written by hand, times computed apart
// (Python's datetime: 2026-12-06T03:30:00Z is 1796527800 s since the epoch).
#include <catch2/catch.hpp>

#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/ring_directory.h"
#include "tests/unit/ring/ring_test_support.h"

using tlsring::capture::CaptureFormat;
using namespace tlsring::daemon;
using namespace tlsring::ring_test;

namespace {
constexpr std::int64_t kSec = 1'000'000'000;
}

TEST_CASE("capture_file_name: sequence, UTC start time and extension") {
  struct Case {
    const char* prefix;
    std::uint64_t sequence;
    std::int64_t start_ns;
    CaptureFormat format;
    const char* expected;
  };
  const Case cases[] = {
      {"tlsring", 42, 1796527800 * kSec, CaptureFormat::pcapng, "tlsring-000042-20261206T033000Z.pcapng"},
      {"tlsring", 42, 1796527800 * kSec + 999'999'999, CaptureFormat::pcapng,
       "tlsring-000042-20261206T033000Z.pcapng"},  // rounded down to the second
      {"cti-a", 1, 0, CaptureFormat::pcap_micro, "cti-a-000001-19700101T000000Z.pcap"},
      {"x", 0, 951868799 * kSec, CaptureFormat::pcap_nano, "x-000000-20000229T235959Z.pcap"},
      {"tlsring", 1234567, 1709208000 * kSec, CaptureFormat::pcapng, "tlsring-1234567-20240229T120000Z.pcapng"},
      {"t_s.1", 18446744073709551615ull, 1796526000 * kSec, CaptureFormat::pcapng,
       "t_s.1-18446744073709551615-20261206T030000Z.pcapng"},
      {"neg", 7, -1, CaptureFormat::pcapng, "neg-000007-19691231T235959Z.pcapng"},
  };
  for (const Case& c : cases) {
    CHECK(capture_file_name(c.prefix, c.sequence, c.start_ns, c.format) == c.expected);
  }
}

TEST_CASE("parse_capture_file_name: round trip and .part") {
  const std::int64_t times[] = {0, 1796527800 * kSec + 123, 951868799 * kSec, 9223372036 * kSec};
  const CaptureFormat formats[] = {CaptureFormat::pcapng, CaptureFormat::pcap_micro};
  for (std::int64_t t : times) {
    for (CaptureFormat f : formats) {
      for (std::uint64_t seq : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{999999},
                                std::uint64_t{1000000}, std::uint64_t{18446744073709551615ull}}) {
        const std::string name = capture_file_name("tlsring", seq, t, f);
        INFO(name);
        auto parsed = parse_capture_file_name(name, "tlsring");
        REQUIRE(parsed);
        CHECK(parsed->sequence == seq);
        CHECK(parsed->start_ns == t / kSec * kSec);
        CHECK(parsed->format == f);
        CHECK_FALSE(parsed->part);
        auto part = parse_capture_file_name(name + ".part", "tlsring");
        REQUIRE(part);
        CHECK(part->part);
        CHECK(part->sequence == seq);
      }
    }
  }
  auto parsed = parse_capture_file_name("tlsring-000042-20261206T033000Z.pcapng.part", "tlsring");
  REQUIRE(parsed);
  CHECK(parsed->sequence == 42);
  CHECK(parsed->start_ns == 1796527800 * kSec);
  CHECK(parsed->format == CaptureFormat::pcapng);
  CHECK(parsed->part);
  // pcap-nano shares the extension; the name says pcap.
  auto nano = parse_capture_file_name(capture_file_name("p", 1, 0, CaptureFormat::pcap_nano), "p");
  REQUIRE(nano);
  CHECK(nano->format == CaptureFormat::pcap_micro);
}

TEST_CASE("parse_capture_file_name: rejects names the ring did not write") {
  const char* rejected[] = {
      "other-000042-20261206T033000Z.pcapng",      // another prefix
      "tlsringx-000042-20261206T033000Z.pcapng",   // prefix is a prefix of the word only
      "tlsring-00042-20261206T033000Z.pcapng",     // 5 digits
      "tlsring-0000042-20261206T033000Z.pcapng",   // padded beyond 6
      "tlsring-18446744073709551616-20261206T033000Z.pcapng",  // 2^64
      "tlsring-00004a-20261206T033000Z.pcapng",
      "tlsring-000042-20261306T033000Z.pcapng",    // month 13
      "tlsring-000042-20260230T033000Z.pcapng",    // 30 February
      "tlsring-000042-20261206T243000Z.pcapng",    // hour 24
      "tlsring-000042-20261206T036000Z.pcapng",    // minute 60
      "tlsring-000042-20261206T033060Z.pcapng",    // second 60
      "tlsring-000042-20261206T033000.pcapng",     // no Z
      "tlsring-000042-20261206 033000Z.pcapng",
      "tlsring-000042-20261206T033000Z.pcapngx",
      "tlsring-000042-20261206T033000Z.cap",
      "tlsring-000042-20261206T033000Z",
      "tlsring-000042-20261206T033000Z.pcapng.part.part",
      "tlsring-000042-20261206T033000Z.pcapng.tmp",
      "tlsring-000042-99991206T033000Z.pcapng",    // beyond int64 nanoseconds
      "tlsring--20261206T033000Z.pcapng",
      ".part",
      "",
  };
  for (const char* name : rejected) {
    INFO(name);
    CHECK_FALSE(parse_capture_file_name(name, "tlsring"));
  }
  CHECK_FALSE(parse_capture_file_name("-000042-20261206T033000Z.pcapng", ""));
}

TEST_CASE("is_valid_capture_prefix") {
  for (const char* ok : {"tlsring", "cti-a", "T_1.x", "a"}) {
    INFO(ok);
    CHECK(is_valid_capture_prefix(ok));
  }
  for (const char* bad : {"", ".hidden", "-x", "a/b", "..", "a b", "tls\xc3\xa9", "a\\b"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_capture_prefix(bad));
  }
  CHECK(is_valid_capture_prefix(std::string(64, 'a')));
  CHECK_FALSE(is_valid_capture_prefix(std::string(65, 'a')));
}

TEST_CASE("list_ring_directory: the prefix's files by sequence, with sizes") {
  TempDir dir;
  auto make = [&](const std::string& name, std::size_t size) {
    write_bytes(dir.path / name, std::vector<std::uint8_t>(size, 0x55), size);
  };
  make("tlsring-000010-20261206T040000Z.pcapng", 100);
  make("tlsring-000002-20261206T020000Z.pcapng", 20);
  make("tlsring-000011-20261206T050000Z.pcapng.part", 7);
  make("tlsring-000009-20261206T030000Z.pcap", 9);
  make("other-000001-20261206T030000Z.pcapng", 1);   // another ring
  make("tlsring-notes.txt", 3);
  fs::create_directory(dir.path / "tlsring-000003-20261206T030000Z.pcapng");  // not a file

  auto listed = list_ring_directory(dir.path, "tlsring");
  REQUIRE(listed);
  REQUIRE(listed->size() == 4);
  const std::uint64_t sequences[] = {2, 9, 10, 11};
  const std::uint64_t sizes[] = {20, 9, 100, 7};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK((*listed)[i].name.sequence == sequences[i]);
    CHECK((*listed)[i].size == sizes[i]);
  }
  CHECK((*listed)[3].name.part);
  CHECK((*listed)[1].name.format == CaptureFormat::pcap_micro);
  CHECK((*listed)[0].path == dir.path / "tlsring-000002-20261206T020000Z.pcapng");
  CHECK(next_free_sequence(*listed) == 12);
  CHECK(next_free_sequence({}) == 1);

  auto missing = list_ring_directory(dir.path / "nope", "tlsring");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("nope") && Catch::Contains("cannot list"));
}
