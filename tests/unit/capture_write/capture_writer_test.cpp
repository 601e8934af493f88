// CaptureWriter: files read back by libpcap (an independent reader) and, for
// pcapng, compared byte for byte with blocks built by hand from the pcapng spec.
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/bytes/byte_reader.h"
#include "core/capture/capture_writer.h"

// Counts heap allocations, to check the writer's allocation-free write path.
// GCC sees malloc/free pair up with the replaced new/delete and warns wrongly.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<std::size_t> g_allocations{0};
}
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace fs = std::filesystem;
using tlsring::ByteReader;
using tlsring::capture::CaptureFormat;
using tlsring::capture::CaptureWriter;

namespace {

// A fresh directory per test, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tlsring-capw-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct PcapPacket {
  std::int64_t sec = 0;
  std::int64_t frac = 0;  // micro- or nanoseconds, as opened
  std::uint32_t caplen = 0;
  std::uint32_t len = 0;
  std::vector<std::uint8_t> data;
};

struct PcapFile {
  int datalink = -1;
  int snaplen = -1;
  std::vector<PcapPacket> packets;
};

PcapFile read_with_libpcap(const fs::path& path, bool nano) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(
      path.c_str(), nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  INFO(errbuf);
  REQUIRE(pcap != nullptr);
  PcapFile file;
  file.datalink = pcap_datalink(pcap);
  file.snaplen = pcap_snapshot(pcap);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(pcap, &header, &data)) == 1) {
    file.packets.push_back(PcapPacket{header->ts.tv_sec, header->ts.tv_usec, header->caplen,
                                      header->len, std::vector<std::uint8_t>(data, data + header->caplen)});
  }
  INFO(pcap_geterr(pcap));
  CHECK(rc == PCAP_ERROR_BREAK);  // clean end of file
  pcap_close(pcap);
  return file;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

struct RawBlock {
  std::uint32_t type = 0;
  std::vector<std::uint8_t> body;  // between the leading length and the trailing length
};

// Walks pcapng blocks as the spec defines them, checking the framing of each.
std::vector<RawBlock> walk_pcapng(const std::vector<std::uint8_t>& file) {
  std::vector<RawBlock> out;
  ByteReader reader(file);
  while (!reader.empty()) {
    auto type = reader.u32le();
    auto total = reader.u32le();
    REQUIRE(type);
    REQUIRE(total);
    REQUIRE(*total % 4 == 0);
    REQUIRE(*total >= 12);
    auto body = reader.bytes(*total - 12);
    REQUIRE(body);
    auto trailer = reader.u32le();
    REQUIRE(trailer);
    REQUIRE(*trailer == *total);
    out.push_back(RawBlock{*type, {body->begin(), body->end()}});
  }
  return out;
}

constexpr std::int64_t kTs = 1'700'000'000'123'456'789;  // 2023-11-14T22:13:20.123456789Z

}  // namespace

TEST_CASE("pcap microsecond file reads back through libpcap") {
  TempDir dir;
  const fs::path path = dir.path / "a.pcap";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_micro);
    REQUIRE(writer.ok());
    auto id = (*writer)->add_interface(tlsring::capture::kLinkEthernet, 65535);
    REQUIRE(id.ok());
    CHECK(*id == 0);
    const std::vector<std::uint8_t> p1 = {0xde, 0xad, 0xbe, 0xef};
    const std::vector<std::uint8_t> p2(1514, 0x5a);
    REQUIRE((*writer)->write_packet(kTs, 0, p1).ok());
    REQUIRE((*writer)->write_packet(kTs + 1'000'000'000, 0, p2, 2000).ok());
    CHECK((*writer)->packets_written() == 2);
    CHECK((*writer)->bytes_written() == 24 + 16 + 4 + 16 + 1514);
    REQUIRE((*writer)->close().ok());
  }
  CHECK(fs::file_size(path) == 24 + 16 + 4 + 16 + 1514);
  const PcapFile file = read_with_libpcap(path, false);
  CHECK(file.datalink == DLT_EN10MB);
  CHECK(file.snaplen == 65535);
  REQUIRE(file.packets.size() == 2);
  CHECK(file.packets[0].sec == 1'700'000'000);
  CHECK(file.packets[0].frac == 123'456);  // microseconds, rounded down
  CHECK(file.packets[0].caplen == 4);
  CHECK(file.packets[0].len == 4);
  CHECK(file.packets[0].data == std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef});
  CHECK(file.packets[1].sec == 1'700'000'001);
  CHECK(file.packets[1].caplen == 1514);
  CHECK(file.packets[1].len == 2000);
}

TEST_CASE("pcap nanosecond file keeps nanoseconds and its magic") {
  TempDir dir;
  const fs::path path = dir.path / "n.pcap";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_nano);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkRaw).ok());
    REQUIRE((*writer)->write_packet(kTs, 0, bytes_of("\x45\x00")).ok());
  }  // the destructor closes
  const auto raw = read_file(path);
  REQUIRE(raw.size() >= 4);
  CHECK(std::vector<std::uint8_t>(raw.begin(), raw.begin() + 4) ==
        std::vector<std::uint8_t>{0x4d, 0x3c, 0xb2, 0xa1});
  const PcapFile file = read_with_libpcap(path, true);
  CHECK(file.datalink == DLT_RAW);
  REQUIRE(file.packets.size() == 1);
  CHECK(file.packets[0].sec == 1'700'000'000);
  CHECK(file.packets[0].frac == 123'456'789);
}

TEST_CASE("pcapng blocks match the spec byte for byte") {
  TempDir dir;
  const fs::path path = dir.path / "b.pcapng";
  CaptureWriter::Options options;
  options.application = "ab";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng, options);
    REQUIRE(writer.ok());
    auto id = (*writer)->add_interface(tlsring::capture::kLinkEthernet, 0xffff, "eth0");
    REQUIRE(id.ok());
    REQUIRE((*writer)->write_secrets(tlsring::capture::kSecretsTypeTlsKeyLog, bytes_of("CL\n")).ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>{1, 2, 3, 4, 5}, 60).ok());
    REQUIRE((*writer)->set_interface_statistics(0, 10, 2).ok());
    REQUIRE((*writer)->close().ok());
  }
  // Hand-built from the pcapng spec (little-endian).
  const std::vector<std::uint8_t> expected = {
      // Section Header Block, 40 bytes, shb_userappl "ab"
      0x0a, 0x0d, 0x0d, 0x0a, 40, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 4, 0, 2, 0, 'a', 'b', 0, 0,
      0, 0, 0, 0, 40, 0, 0, 0,
      // Interface Description Block, 40 bytes: Ethernet, snaplen 65535, if_name, if_tsresol 9
      1, 0, 0, 0, 40, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0, 0,
      2, 0, 4, 0, 'e', 't', 'h', '0', 9, 0, 1, 0, 9, 0, 0, 0,
      0, 0, 0, 0, 40, 0, 0, 0,
      // Decryption Secrets Block, 24 bytes: TLSK, 3 bytes padded to 4
      0x0a, 0, 0, 0, 24, 0, 0, 0, 0x4b, 0x53, 0x4c, 0x54, 3, 0, 0, 0,
      'C', 'L', '\n', 0, 24, 0, 0, 0,
      // Enhanced Packet Block, 40 bytes: interface 0, ts 0x17979cfe:3d85cd15, 5 of 60 bytes
      6, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x9c, 0x97, 0x17,
      0x15, 0xcd, 0x85, 0x3d, 5, 0, 0, 0, 60, 0, 0, 0, 1, 2, 3, 4,
      5, 0, 0, 0, 40, 0, 0, 0,
      // Interface Statistics Block, 52 bytes: isb_ifrecv 10, isb_ifdrop 2
      5, 0, 0, 0, 52, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x9c, 0x97, 0x17,
      0x15, 0xcd, 0x85, 0x3d, 4, 0, 8, 0, 10, 0, 0, 0, 0, 0, 0, 0,
      5, 0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      52, 0, 0, 0};
  CHECK(read_file(path) == expected);

  // libpcap skips the DSB and the ISB and honours if_tsresol.
  const PcapFile file = read_with_libpcap(path, true);
  CHECK(file.datalink == DLT_EN10MB);
  REQUIRE(file.packets.size() == 1);
  CHECK(file.packets[0].sec == 1'700'000'000);
  CHECK(file.packets[0].frac == 123'456'789);
  CHECK(file.packets[0].caplen == 5);
  CHECK(file.packets[0].len == 60);
}

TEST_CASE("pcapng statistics counted from a known time carry isb_starttime byte for byte") {
  TempDir dir;
  const fs::path path = dir.path / "s.pcapng";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkEthernet, 0xffff, "eth0").ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>{1, 2, 3, 4}, 60).ok());
    // Read 1 ns after the packet, counting from 0x17979cfe:00000001.
    REQUIRE((*writer)->set_interface_statistics(0, 10, 2, kTs + 1, std::int64_t{0x17979cfe00000001}).ok());
    REQUIRE((*writer)->close().ok());
  }
  const std::vector<std::uint8_t> bytes = read_file(path);
  REQUIRE(bytes.size() > 64);
  const std::vector<std::uint8_t> isb(bytes.end() - 64, bytes.end());
  // Interface Statistics Block, 64 bytes: isb_starttime, isb_ifrecv 10, isb_ifdrop 2
  const std::vector<std::uint8_t> expected = {
      5, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x9c, 0x97, 0x17,
      0x16, 0xcd, 0x85, 0x3d, 2, 0, 8, 0, 0xfe, 0x9c, 0x97, 0x17, 1, 0, 0, 0,
      4, 0, 8, 0, 10, 0, 0, 0, 0, 0, 0, 0, 5, 0, 8, 0,
      2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0};
  CHECK(isb == expected);
  CHECK(read_with_libpcap(path, true).packets.size() == 1);
}

TEST_CASE("pcapng packet with a drop count carries epb_dropcount byte for byte and libpcap reads it") {
  TempDir dir;
  const fs::path path = dir.path / "d.pcapng";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkEthernet, 0xffff).ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>{1, 2, 3, 4, 5}, 60, 0x100000002).ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>{6, 7}, 60).ok());
    REQUIRE((*writer)->close().ok());
  }
  const std::vector<std::uint8_t> bytes = read_file(path);
  // The EPBs follow the SHB and the IDB (their lengths are at offset 4).
  const auto u32_at = [&](std::size_t at) {
    return static_cast<std::uint32_t>(bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24);
  };
  const std::size_t epb = u32_at(4) + u32_at(u32_at(4) + 4);
  const std::vector<std::uint8_t> expected = {
      // Enhanced Packet Block, 56 bytes: interface 0, ts 0x17979cfe:3d85cd15, 5 of 60 bytes,
      // then epb_dropcount (4) of 8 bytes, 0x0000000100000002, and opt_endofopt
      6, 0, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x9c, 0x97, 0x17,
      0x15, 0xcd, 0x85, 0x3d, 5, 0, 0, 0, 60, 0, 0, 0, 1, 2, 3, 4,
      5, 0, 0, 0, 4, 0, 8, 0, 2, 0, 0, 0, 1, 0, 0, 0,
      0, 0, 0, 0, 56, 0, 0, 0};
  REQUIRE(bytes.size() >= epb + expected.size() + 36);
  CHECK(std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(epb),
                                  bytes.begin() + static_cast<std::ptrdiff_t>(epb + expected.size())) == expected);
  CHECK(u32_at(epb + expected.size() + 4) == 36);  // the next EPB has no options

  const PcapFile file = read_with_libpcap(path, true);
  REQUIRE(file.packets.size() == 2);
  CHECK(file.packets[0].data == std::vector<std::uint8_t>{1, 2, 3, 4, 5});
  CHECK(file.packets[1].data == std::vector<std::uint8_t>{6, 7});
}

TEST_CASE("pcapng secrets round trip with padding for every length") {
  TempDir dir;
  const fs::path path = dir.path / "s.pcapng";
  const std::string keylog =
      "CLIENT_RANDOM 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
      "202122232425262728292a2b2c2d2e2f\n";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkEthernet).ok());
    for (std::size_t cut = 0; cut < 4; ++cut) {
      REQUIRE((*writer)->write_secrets(tlsring::capture::kSecretsTypeTlsKeyLog,
                                       bytes_of(std::string_view(keylog).substr(cut))).ok());
      REQUIRE((*writer)->write_packet(kTs + static_cast<std::int64_t>(cut), 0,
                                      std::vector<std::uint8_t>(61 + cut, 0xab)).ok());
    }
  }
  const auto blocks = walk_pcapng(read_file(path));
  std::size_t secrets_seen = 0;
  std::size_t packets_seen = 0;
  for (const auto& block : blocks) {
    if (block.type == 0x0000000a) {
      ByteReader body(block.body);
      CHECK(body.u32le() == tlsring::capture::kSecretsTypeTlsKeyLog);
      auto length = body.u32le();
      REQUIRE(length);
      auto secrets = body.bytes(*length);
      REQUIRE(secrets);
      CHECK(std::string(secrets->begin(), secrets->end()) == keylog.substr(secrets_seen));
      CHECK(body.remaining() < 4);  // only padding is left
      for (auto b : body.rest()) CHECK(b == 0);
      ++secrets_seen;
    } else if (block.type == 6) {
      ByteReader body(block.body);
      CHECK(body.u32le() == 0u);
      body.skip(8);
      CHECK(body.u32le() == 61 + packets_seen);
      ++packets_seen;
    }
  }
  CHECK(secrets_seen == 4);
  CHECK(packets_seen == 4);
  CHECK(read_with_libpcap(path, true).packets.size() == 4);
}

TEST_CASE("pcapng with several interfaces and snaplen truncation") {
  TempDir dir;
  const fs::path path = dir.path / "m.pcapng";
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkEthernet, 96, "a").ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>(200, 1)).ok());
    // An interface may be declared after packets of another one.
    auto second = (*writer)->add_interface(tlsring::capture::kLinkEthernet, 96, "b");
    REQUIRE(second.ok());
    CHECK(*second == 1);
    REQUIRE((*writer)->write_packet(kTs + 1, 1, std::vector<std::uint8_t>(200, 2)).ok());
    CHECK((*writer)->interface_count() == 2);
  }
  const auto blocks = walk_pcapng(read_file(path));
  std::vector<std::uint32_t> packet_interfaces;
  for (const auto& block : blocks) {
    if (block.type != 6) continue;
    ByteReader body(block.body);
    packet_interfaces.push_back(*body.u32le());
  }
  CHECK(packet_interfaces == std::vector<std::uint32_t>{0, 1});
  const PcapFile file = read_with_libpcap(path, true);
  REQUIRE(file.packets.size() == 2);
  CHECK(file.packets[0].caplen == 96);  // cut to the interface's snaplen
  CHECK(file.packets[0].len == 200);
  CHECK(file.packets[1].caplen == 96);
  CHECK(file.packets[1].data == std::vector<std::uint8_t>(96, 2));

  // snaplen 0 means no limit.
  const fs::path unlimited = dir.path / "u.pcapng";
  {
    auto writer = CaptureWriter::create(unlimited, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->add_interface(tlsring::capture::kLinkEthernet, 0).ok());
    REQUIRE((*writer)->write_packet(kTs, 0, std::vector<std::uint8_t>(70000, 3)).ok());
  }
  const PcapFile big = read_with_libpcap(unlimited, true);
  REQUIRE(big.packets.size() == 1);
  CHECK(big.packets[0].caplen == 70000);
}

TEST_CASE("many packets across buffer boundaries, one larger than the buffer") {
  TempDir dir;
  for (CaptureFormat format : {CaptureFormat::pcap_micro, CaptureFormat::pcapng}) {
    const fs::path path = dir.path / ("many." + std::string(tlsring::capture::format_extension(format)));
    CaptureWriter::Options options;
    options.buffer_size = 4096;
    constexpr std::size_t kPackets = 20000;
    constexpr std::size_t kHuge = 12345;
    {
      auto writer = CaptureWriter::create(path, format, options);
      REQUIRE(writer.ok());
      REQUIRE((*writer)->add_interface(tlsring::capture::kLinkRaw).ok());
      std::vector<std::uint8_t> packet;
      for (std::size_t i = 0; i < kPackets; ++i) {
        packet.assign(i == kHuge ? 70000 : 1 + (i * 7919) % 1600, static_cast<std::uint8_t>(i));
        REQUIRE((*writer)->write_packet(kTs + static_cast<std::int64_t>(i) * 1000, 0, packet).ok());
      }
      REQUIRE((*writer)->close().ok());
      CHECK(fs::file_size(path) == (*writer)->bytes_written());
    }
    const PcapFile file = read_with_libpcap(path, true);
    REQUIRE(file.packets.size() == kPackets);
    // libpcap scales microsecond files to nanoseconds when asked for nanoseconds.
    auto expected_ns = [&](std::size_t i) {
      const auto ns = static_cast<std::int64_t>((123'456'789 + i * 1000) % 1'000'000'000);
      return format == CaptureFormat::pcap_micro ? ns / 1000 * 1000 : ns;
    };
    bool all_match = true;
    for (std::size_t i = 0; i < kPackets; ++i) {
      const auto& p = file.packets[i];
      const std::size_t size = i == kHuge ? 70000 : 1 + (i * 7919) % 1600;
      if (p.caplen != size || p.data != std::vector<std::uint8_t>(size, static_cast<std::uint8_t>(i)) ||
          p.frac != expected_ns(i)) {
        all_match = false;
        INFO("packet " << i);
        CHECK(p.caplen == size);
        break;
      }
    }
    CHECK(all_match);
  }
}

TEST_CASE("writing packets and secrets allocates nothing, flushes included") {
  TempDir dir;
  for (CaptureFormat format : {CaptureFormat::pcap_nano, CaptureFormat::pcapng}) {
    auto writer = CaptureWriter::create(dir.path / "alloc.cap", format);
    REQUIRE(writer.ok());
    auto& w = **writer;
    REQUIRE(w.add_interface(tlsring::capture::kLinkEthernet).ok());
    const std::vector<std::uint8_t> packet(1514, 0x42);
    const std::vector<std::uint8_t> secret(101, 'k');
    const std::size_t before = g_allocations.load();
    CHECK(before > 0);  // the counter sees allocations (create() made some)
    bool all_ok = true;
    for (int i = 0; i < 5000; ++i) {  // ~7.5 MB: several 1 MiB buffer flushes
      all_ok = all_ok && w.write_packet(kTs + i, 0, packet).ok();
      if (format == CaptureFormat::pcapng && i % 1000 == 0) {
        all_ok = all_ok && w.write_secrets(tlsring::capture::kSecretsTypeTlsKeyLog, secret).ok();
      }
    }
    const std::size_t after = g_allocations.load();
    CHECK(all_ok);
    CHECK(after == before);
    REQUIRE(w.close().ok());
    CHECK(read_with_libpcap(dir.path / "alloc.cap", true).packets.size() == 5000);
  }
}

TEST_CASE("capture files are created with mode 0600, also when replaced") {
  TempDir dir;
  const fs::path path = dir.path / "mode.pcapng";
  { std::ofstream(path) << "old"; }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  {
    auto writer = CaptureWriter::create(path, CaptureFormat::pcapng);
    REQUIRE(writer.ok());
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(fs::file_size(path) == 28 + 12 + 4);  // SHB with "tlsring" only: "old" was truncated

  const fs::path fresh = dir.path / "fresh.pcap";
  {
    auto writer = CaptureWriter::create(fresh, CaptureFormat::pcap_micro);
    REQUIRE(writer.ok());
  }
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("writer errors name the file and say what is wrong") {
  TempDir dir;
  SECTION("missing directory") {
    const fs::path path = dir.path / "no" / "such" / "x.pcap";
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_micro);
    REQUIRE_FALSE(writer.ok());
    CHECK_THAT(writer.error().message, Catch::Contains(path.string()));
    CHECK_THAT(writer.error().message, Catch::Contains("No such file or directory"));
  }
  SECTION("existing file without replace_existing") {
    const fs::path path = dir.path / "exists.pcap";
    { std::ofstream(path) << "x"; }
    CaptureWriter::Options options;
    options.replace_existing = false;
    auto writer = CaptureWriter::create(path, CaptureFormat::pcap_micro, options);
    REQUIRE_FALSE(writer.ok());
    CHECK_THAT(writer.error().message, Catch::Contains("File exists"));
  }
  SECTION("pcap limits and misuse") {
    auto writer = CaptureWriter::create(dir.path / "p.pcap", CaptureFormat::pcap_micro);
    REQUIRE(writer.ok());
    auto& w = **writer;
    const std::vector<std::uint8_t> data = {1};
    CHECK_FALSE(w.write_packet(kTs, 0, data).ok());  // no interface yet
    REQUIRE(w.add_interface(tlsring::capture::kLinkEthernet).ok());
    auto second = w.add_interface(tlsring::capture::kLinkRaw);
    REQUIRE_FALSE(second.ok());
    CHECK_THAT(second.error().message, Catch::Contains("one interface"));
    auto secrets = w.write_secrets(tlsring::capture::kSecretsTypeTlsKeyLog, data);
    REQUIRE_FALSE(secrets.ok());
    CHECK_THAT(secrets.error().message, Catch::Contains("pcapng"));
    CHECK_FALSE(w.write_packet(-1, 0, data).ok());
    CHECK_FALSE(w.write_packet(kTs, 1, data).ok());
    CHECK_FALSE(w.write_packet(std::int64_t{5'000'000'000} * 1'000'000'000, 0, data).ok());
    REQUIRE(w.write_packet(kTs, 0, data).ok());
    CHECK(w.packets_written() == 1);
    REQUIRE(w.close().ok());
    CHECK(w.close().ok());  // idempotent
    auto after = w.write_packet(kTs, 0, data);
    REQUIRE_FALSE(after.ok());
    CHECK_THAT(after.error().message, Catch::Contains("closed"));
  }
}

TEST_CASE("format names parse back") {
  using tlsring::capture::format_name;
  using tlsring::capture::parse_format;
  for (CaptureFormat f : {CaptureFormat::pcap_micro, CaptureFormat::pcap_nano, CaptureFormat::pcapng}) {
    CHECK(parse_format(format_name(f)) == f);
  }
  CHECK_FALSE(parse_format("pcapng2").has_value());
}
