// RingWriter driven the way the daemon drives it (rotation_policy.h decides,
// the writer acts), files read back with the core reader; pcapng Interface
// Statistics Blocks found by the test's own walk over the file's bytes.
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <new>

#include "core/capture/capture_writer.h"
#include "daemon/capture/packet_block.h"
#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/ring_directory.h"
#include "daemon/ring/ring_writer.h"
#include "daemon/ring/rotation_policy.h"
#include "tests/unit/ring/ring_test_support.h"

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

using tlsring::capture::CaptureFormat;
using namespace tlsring::daemon;
using namespace tlsring::ring_test;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t k0330 = 1796527800 * kSec;  // 2026-12-06T03:30:00Z

std::uint32_t le32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (std::uint32_t{b[at + 3]} << 24);
}
std::uint64_t le64(const std::vector<std::uint8_t>& b, std::size_t at) {
  return le32(b, at) | (std::uint64_t{le32(b, at + 4)} << 32);
}

struct Isb {
  std::uint32_t interface_id = 0;
  std::int64_t timestamp_ns = 0;
  std::optional<std::uint64_t> ifrecv;
  std::optional<std::uint64_t> ifdrop;
};

// Walks a little-endian pcapng file block by block (pcapng spec: type,
// length, body, length) and decodes every Interface Statistics Block (type 5).
std::vector<Isb> statistics_blocks(const std::vector<std::uint8_t>& file) {
  std::vector<Isb> out;
  std::size_t at = 0;
  while (at + 12 <= file.size()) {
    const std::uint32_t type = le32(file, at);
    const std::uint32_t length = le32(file, at + 4);
    REQUIRE(length >= 12);
    REQUIRE(at + length <= file.size());
    REQUIRE(le32(file, at + length - 4) == length);
    if (type == 5) {
      Isb isb;
      isb.interface_id = le32(file, at + 8);
      isb.timestamp_ns = static_cast<std::int64_t>((std::uint64_t{le32(file, at + 12)} << 32) | le32(file, at + 16));
      std::size_t opt = at + 20;
      while (opt + 4 <= at + length - 4) {
        const std::uint16_t code = static_cast<std::uint16_t>(file[opt] | (file[opt + 1] << 8));
        const std::uint16_t len = static_cast<std::uint16_t>(file[opt + 2] | (file[opt + 3] << 8));
        if (code == 0) break;
        if (code == 4 && len == 8) isb.ifrecv = le64(file, opt + 4);
        if (code == 5 && len == 8) isb.ifdrop = le64(file, opt + 4);
        opt += 4 + ((len + 3u) & ~3u);
      }
      out.push_back(isb);
    }
    at += length;
  }
  REQUIRE(at == file.size());
  return out;
}

// Kernel counters of interface k after j packets: arbitrary but known formulas.
InterfaceCounters counters_after(std::size_t k, std::uint64_t j) {
  return InterfaceCounters{5000 + 7 * j + k, 3 + j / 10, j / 20 + k};
}
std::vector<InterfaceCounters> all_counters(std::uint64_t j) {
  return {counters_after(0, j), counters_after(1, j)};
}

struct Sent {
  std::int64_t timestamp_ns;
  std::uint32_t interface_id;
  std::vector<std::uint8_t> data;
};

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("RingWriter: pcapng across interval rotations, read back whole") {
  TempDir dir;
  RingWriterOptions options;
  options.directory = dir.path;
  options.prefix = "cti";
  options.format = CaptureFormat::pcapng;
  options.interfaces = {InterfaceInfo{"eth0", 1, 65535}, InterfaceInfo{"lo", 1, 65535}};
  options.first_sequence = 7;
  auto created = RingWriter::create(options);
  REQUIRE(created);
  RingWriter& writer = **created;

  // 200 packets 37 ms apart from 03:30:00.5: 7.4 s, over the 2 s boundaries
  // :02, :04 and :06, so four files: [0.5,2) [2,4) [4,6) [6,7.9).
  const RotationPolicy policy{2 * kSec, std::nullopt};
  std::vector<Sent> sent;
  for (std::uint32_t i = 0; i < 200; ++i) {
    sent.push_back(Sent{k0330 + 500 * kMs + i * 37 * kMs, i % 2, packet_bytes(i, 40 + (i * 53) % 1400)});
  }

  std::vector<CompletedFile> completed;
  std::vector<std::uint64_t> opened_at_packet;  // packet index when each file opened
  std::vector<std::int64_t> closed_at;
  REQUIRE(writer.open_file(sent[0].timestamp_ns, all_counters(0)));
  opened_at_packet.push_back(0);
  FileState state = new_file_state(policy, sent[0].timestamp_ns);
  for (std::uint64_t j = 0; j < sent.size(); ++j) {
    const CapturedPacket packet{sent[j].timestamp_ns, sent[j].interface_id,
                                static_cast<std::uint32_t>(sent[j].data.size() + 4), sent[j].data};
    state.size = writer.current_size();
    state.packets = writer.current_file_packets();
    if (rotation_due(policy, state, packet.timestamp_ns, writer.record_size(packet)) != RotateReason::none) {
      auto done = writer.close_file(packet.timestamp_ns, all_counters(j));
      REQUIRE(done);
      completed.push_back(*done);
      closed_at.push_back(packet.timestamp_ns);
      REQUIRE(writer.open_file(packet.timestamp_ns, all_counters(j)));
      opened_at_packet.push_back(j);
      state = new_file_state(policy, packet.timestamp_ns);
    }
    REQUIRE(writer.write(packet));
  }
  const std::int64_t end = sent.back().timestamp_ns + kMs;
  const std::uint64_t predicted_size = writer.current_size();
  auto last = writer.close_file(end, all_counters(sent.size()));
  REQUIRE(last);
  completed.push_back(*last);
  closed_at.push_back(end);
  opened_at_packet.push_back(sent.size());
  CHECK_FALSE(writer.is_open());
  CHECK(last->bytes == predicted_size);  // current_size() foretold the ISBs

  // Expected grouping, from the times alone: packets of one 2 s bucket share a file.
  std::map<std::int64_t, std::vector<std::size_t>> buckets;
  for (std::size_t i = 0; i < sent.size(); ++i) buckets[sent[i].timestamp_ns / (2 * kSec)].push_back(i);
  REQUIRE(buckets.size() == 4);
  REQUIRE(completed.size() == 4);

  const auto on_disk = files_in(dir.path);
  REQUIRE(on_disk.size() == 4);  // no .part left, nothing else
  std::size_t f = 0;
  for (const auto& [bucket, indices] : buckets) {
    INFO("file " << f);
    const CompletedFile& file = completed[f];
    const std::int64_t first_ts = sent[indices.front()].timestamp_ns;
    CHECK(file.sequence == 7 + f);
    CHECK(file.start_ns == first_ts);
    CHECK(file.packets == indices.size());
    CHECK(fs::exists(file.path));
    CHECK(file.bytes == fs::file_size(file.path));
    CHECK(file.path == on_disk[f]);
    struct stat st {};
    REQUIRE(::stat(file.path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    auto name = parse_capture_file_name(file.path.filename().string(), "cti");
    REQUIRE(name);
    CHECK(name->sequence == 7 + f);
    CHECK(name->start_ns == first_ts / kSec * kSec);
    CHECK(name->format == CaptureFormat::pcapng);
    CHECK_FALSE(name->part);

    const ReadBack back = read_back(file.path);
    CHECK(back.clean_end);
    REQUIRE(back.packets.size() == indices.size());
    std::uint64_t expected_bytes = 0;
    for (std::size_t n = 0; n < indices.size(); ++n) {
      const Sent& s = sent[indices[n]];
      expected_bytes += s.data.size();
      CHECK(back.packets[n] == s.data);
      CHECK(back.timestamps[n] == s.timestamp_ns);
      CHECK(back.interfaces[n] == s.interface_id);
    }
    CHECK(back.data_bytes == expected_bytes);
    CHECK(file.captured_bytes == expected_bytes);

    // One ISB per interface, counting from this file's open to its close.
    const auto isbs = statistics_blocks(read_bytes(file.path));
    REQUIRE(isbs.size() == 2);
    const std::uint64_t j0 = opened_at_packet[f], j1 = opened_at_packet[f + 1];
    for (std::uint32_t k = 0; k < 2; ++k) {
      CHECK(isbs[k].interface_id == k);
      CHECK(isbs[k].timestamp_ns == closed_at[f]);
      REQUIRE(isbs[k].ifrecv);
      REQUIRE(isbs[k].ifdrop);
      CHECK(*isbs[k].ifrecv == 7 * (j1 - j0));
      CHECK(*isbs[k].ifdrop == (j1 / 10 - j0 / 10) + (j1 / 20 - j0 / 20));
    }
    ++f;
  }
  CHECK(writer.next_sequence() == 11);
}

TEST_CASE("RingWriter: size rotation keeps pcap files under max_file_size") {
  for (CaptureFormat format : {CaptureFormat::pcap_micro, CaptureFormat::pcap_nano}) {
    TempDir dir;
    RingWriterOptions options;
    options.directory = dir.path;
    options.format = format;
    options.interfaces = {InterfaceInfo{"eth0", 1, 0}};
    auto created = RingWriter::create(options);
    REQUIRE(created);
    RingWriter& writer = **created;
    // pcap: 24-byte file header, 16-byte record header + 1000 bytes. 24 + 9 * 1016
    // = 9168 <= 10000 < 24 + 10 * 1016, so 9 packets a file: 30 = 9 + 9 + 9 + 3.
    const RotationPolicy policy{0, 10'000};
    const std::int64_t t0 = k0330 + 123'456'789;
    REQUIRE(writer.open_file(t0));
    FileState state = new_file_state(policy, t0);
    std::vector<CompletedFile> completed;
    for (std::uint32_t i = 0; i < 30; ++i) {
      const auto data = packet_bytes(i, 1000);
      const CapturedPacket packet{t0 + i * kSec + i, 0, 1000, data};
      CHECK(writer.record_size(packet) == 1016);
      state.size = writer.current_size();
      state.packets = writer.current_file_packets();
      const RotateReason reason = rotation_due(policy, state, packet.timestamp_ns, 1016);
      if (reason != RotateReason::none) {
        CHECK(reason == RotateReason::size);
        auto done = writer.close_file(packet.timestamp_ns, {});
        REQUIRE(done);
        completed.push_back(*done);
        REQUIRE(writer.open_file(packet.timestamp_ns));
        state = new_file_state(policy, packet.timestamp_ns);
      }
      REQUIRE(writer.write(packet));
    }
    auto done = writer.close_file(t0 + 31 * kSec, {});
    REQUIRE(done);
    completed.push_back(*done);

    const std::uint64_t expected_counts[] = {9, 9, 9, 3};
    REQUIRE(completed.size() == 4);
    std::uint32_t number = 0;
    for (std::size_t f = 0; f < 4; ++f) {
      INFO("file " << f);
      CHECK(completed[f].packets == expected_counts[f]);
      CHECK(fs::file_size(completed[f].path) == 24 + expected_counts[f] * 1016);
      CHECK(fs::file_size(completed[f].path) <= 10'000);
      CHECK(completed[f].path.extension() == ".pcap");
      const ReadBack back = read_back(completed[f].path);
      CHECK(back.clean_end);
      REQUIRE(back.packets.size() == expected_counts[f]);
      for (std::size_t n = 0; n < back.packets.size(); ++n, ++number) {
        CHECK(back.packets[n] == packet_bytes(number, 1000));
        const std::int64_t ts = t0 + number * kSec + number;
        CHECK(back.timestamps[n] == (format == CaptureFormat::pcap_nano ? ts : ts / 1000 * 1000));
      }
    }
    CHECK(files_in(dir.path).size() == 4);
  }
}

TEST_CASE("RingWriter: write() neither allocates nor writes to the file per packet") {
  TempDir dir;
  RingWriterOptions options;
  options.directory = dir.path;
  options.interfaces = {InterfaceInfo{"eth0", 1, 65535}};
  auto created = RingWriter::create(options);
  REQUIRE(created);
  RingWriter& writer = **created;
  REQUIRE(writer.open_file(k0330));
  const fs::path part = writer.current_path();
  CHECK(part.filename().string().ends_with(".pcapng.part"));
  const auto data = packet_bytes(1, 1200);
  const CapturedPacket packet{k0330, 0, 1200, data};
  const auto size_before = fs::file_size(part);  // nothing flushed yet

  const std::size_t allocations_before = g_allocations.load();
  bool all_ok = true;
  for (int i = 0; i < 2000; ++i) all_ok = writer.write(packet).ok() && all_ok;  // 2.4 MB < 4 MiB buffer
  const std::size_t allocations = g_allocations.load() - allocations_before;
  CHECK(all_ok);
  CHECK(allocations == 0);
  CHECK(fs::file_size(part) == size_before);  // still in the buffer: no write(2) yet
  CHECK(writer.current_file_packets() == 2000);
  auto done = writer.close_file(k0330 + kSec, {});
  REQUIRE(done);
  CHECK(done->packets == 2000);
  CHECK(read_back(done->path).packets.size() == 2000);
  CHECK_FALSE(fs::exists(part));
}

TEST_CASE("RingWriter: snaplen cuts packets, counters that went down count whole") {
  TempDir dir;
  RingWriterOptions options;
  options.directory = dir.path;
  options.interfaces = {InterfaceInfo{"eth0", 1, 100}};
  auto created = RingWriter::create(options);
  REQUIRE(created);
  RingWriter& writer = **created;
  const InterfaceCounters at_open[] = {{1000, 50, 5}};
  REQUIRE(writer.open_file(k0330, at_open));
  const auto data = packet_bytes(9, 300);
  const CapturedPacket packet{k0330 + 1, 0, 300, data};
  CHECK(writer.record_size(packet) == 32 + 100);  // an EPB of 100 captured bytes
  REQUIRE(writer.write(packet));
  const InterfaceCounters at_close[] = {{40, 2, 9}};  // received reset (capture reopened)
  auto done = writer.close_file(k0330 + 2, at_close);
  REQUIRE(done);
  CHECK(done->captured_bytes == 100);
  const ReadBack back = read_back(done->path);
  REQUIRE(back.packets.size() == 1);
  CHECK(back.packets[0] == std::vector<std::uint8_t>(data.begin(), data.begin() + 100));
  const auto isbs = statistics_blocks(read_bytes(done->path));
  REQUIRE(isbs.size() == 1);
  CHECK(isbs[0].ifrecv == 40u);          // 40 < 1000: reset, taken whole
  CHECK(isbs[0].ifdrop == 2u + (9 - 5));  // dropped reset (2 < 50); if_dropped 9 - 5
}

TEST_CASE("RingWriter: refuses what it cannot do, with reasons") {
  TempDir dir;
  RingWriterOptions options;
  options.directory = dir.path;
  options.interfaces = {InterfaceInfo{"eth0", 1, 65535}};

  auto bad_dir = options;
  bad_dir.directory = dir.path / "missing";
  auto r1 = RingWriter::create(bad_dir);
  REQUIRE_FALSE(r1);
  CHECK_THAT(r1.error().message, Catch::Contains("missing") && Catch::Contains("not a directory"));

  auto bad_prefix = options;
  bad_prefix.prefix = "../evil";
  auto r2 = RingWriter::create(bad_prefix);
  REQUIRE_FALSE(r2);
  CHECK_THAT(r2.error().message, Catch::Contains("prefix"));

  auto no_iface = options;
  no_iface.interfaces.clear();
  CHECK_FALSE(RingWriter::create(no_iface));

  auto pcap_two = options;
  pcap_two.format = CaptureFormat::pcap_micro;
  pcap_two.interfaces.push_back(InterfaceInfo{"lo", 1, 65535});
  auto r3 = RingWriter::create(pcap_two);
  REQUIRE_FALSE(r3);
  CHECK_THAT(r3.error().message, Catch::Contains("pcapng"));

  auto created = RingWriter::create(options);
  REQUIRE(created);
  RingWriter& writer = **created;
  const auto data = packet_bytes(1, 60);
  CHECK_FALSE(writer.write(CapturedPacket{k0330, 0, 60, data}));
  CHECK_FALSE(writer.close_file(k0330, {}));
  CHECK_FALSE(writer.open_file(-1));

  // The name of sequence 1 at 03:30:00 exists already: never overwritten.
  const fs::path taken = dir.path / capture_file_name("tlsring", 1, k0330, CaptureFormat::pcapng);
  write_bytes(taken, {1, 2, 3}, 3);
  auto clash = writer.open_file(k0330);
  REQUIRE_FALSE(clash);
  CHECK_THAT(clash.error().message, Catch::Contains(taken.string()) && Catch::Contains("exists"));
  CHECK(fs::file_size(taken) == 3);

  REQUIRE(writer.open_file(k0330 + kSec));
  auto twice = writer.open_file(k0330 + 2 * kSec);
  CHECK_FALSE(twice);
  CHECK_FALSE(writer.write(CapturedPacket{k0330, 5, 60, data}));  // undeclared interface
  auto done = writer.close_file(k0330 + 3 * kSec, {});
  REQUIRE(done);
  CHECK(done->sequence == 1);
  CHECK(done->packets == 0);
  auto listed = list_ring_directory(dir.path, "tlsring");
  REQUIRE(listed);
  CHECK(listed->size() == 2);
}

TEST_CASE("RingWriter: records encoded by the capture pipeline go to the file as they are, in runs") {
  for (const CaptureFormat format : {CaptureFormat::pcapng, CaptureFormat::pcap_micro}) {
    DYNAMIC_SECTION(tlsring::capture::format_name(format)) {
      TempDir dir;
      RingWriterOptions options;
      options.directory = dir.path;
      options.format = format;
      options.interfaces = {InterfaceInfo{"eth0", 1, 65535}};
      auto created = RingWriter::create(options);
      REQUIRE(created);
      RingWriter& writer = **created;

      // 300 packets in blocks of about 40 KB, so runs end at block ends; one
      // packet in every 50 comes without a record (copied the old way) and
      // must keep its place between the runs.
      std::vector<std::vector<std::uint8_t>> sent;
      for (std::uint32_t i = 0; i < 300; ++i) sent.push_back(packet_bytes(i, 60 + (i * 131) % 1400));
      const std::int64_t rotate_at = 150;  // a new file after this many packets
      PacketBlock block(40'000, format);
      std::vector<CompletedFile> completed;
      REQUIRE(writer.open_file(k0330));
      std::size_t next = 0;
      while (next < sent.size()) {
        block.clear();
        const std::size_t first = next;
        while (next < sent.size() &&
               block.append(CapturedPacket{k0330 + static_cast<std::int64_t>(next) * kMs, 0,
                                           static_cast<std::uint32_t>(sent[next].size()), sent[next]})) {
          ++next;
        }
        std::size_t index = first;
        block.for_each([&](const CapturedPacket& encoded) {
          if (index == static_cast<std::size_t>(rotate_at)) {
            auto done = writer.close_file(encoded.timestamp_ns, {});
            REQUIRE(done);
            completed.push_back(*done);
            REQUIRE(writer.open_file(encoded.timestamp_ns));
          }
          CapturedPacket packet = encoded;
          if (index % 50 == 49) packet.record = {};
          REQUIRE(writer.write(packet));
          ++index;
          return true;
        });
        const std::uint64_t predicted = writer.current_size();
        REQUIRE(writer.flush_records());  // the block is reused after this
        CHECK(writer.current_size() == predicted);
      }
      const std::uint64_t predicted_size = writer.current_size();
      CHECK(writer.current_file_packets() == sent.size() - rotate_at);
      const std::vector<InterfaceCounters> at_close{counters_after(0, sent.size())};
      auto last = writer.close_file(k0330 + kSec, at_close);  // current_size() counted its statistics block
      REQUIRE(last);
      completed.push_back(*last);
      CHECK(fs::file_size(last->path) == predicted_size);

      REQUIRE(completed.size() == 2);
      std::vector<std::vector<std::uint8_t>> read;
      for (const CompletedFile& file : completed) {
        const auto back = read_back(file.path);
        CHECK(back.packets.size() == file.packets);
        read.insert(read.end(), back.packets.begin(), back.packets.end());
      }
      CHECK(completed[0].packets == static_cast<std::uint64_t>(rotate_at));
      CHECK(read == sent);
    }
  }
}
