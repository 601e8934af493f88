// A gap in a connection at a time the capture is known to have lost packets
// (the service could not write its capture files): the verdict names that
// cause and its fix, not packet loss on the way to the capture point. The
// connection comes from the generator's real OpenSSL client and server; one
// server data segment of its application data is left out of the capture, and
// its time is read from the capture file, not from the core.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/capture/capture_writer_blocks.h"
#include "core/decrypt/capture_losses.h"
#include "tests/e2e/e2e_support.h"

using namespace tlsring;
using namespace tlsring::e2e;

namespace {

// Frames as the generator writes them: Ethernet, IPv4, then TCP.
constexpr std::size_t kTcpAt = 14 + 20;

std::uint16_t source_port(std::span<const std::uint8_t> frame) {
  return static_cast<std::uint16_t>((frame[kTcpAt] << 8) | frame[kTcpAt + 1]);
}

std::size_t tcp_payload(std::span<const std::uint8_t> frame) {
  return frame.size() - kTcpAt - 4 * (frame[kTcpAt + 12] >> 4);
}

// Copies `from` to `to` without the next-to-last data segment the server
// sent (recording the drop in the packet after it, with `record_drop`);
// returns its capture time.
std::int64_t copy_without_late_server_segment(const fs::path& from, const fs::path& to, std::uint16_t server_port,
                                              bool record_drop = false) {
  std::size_t server_segments = 0;
  copy_capture_without(from, to / "count.pcapng", [&](const capture::CapturePacket& p) {
    server_segments += source_port(p.data) == server_port && tcp_payload(p.data) > 0;
    return false;
  });
  REQUIRE(server_segments >= 3);
  std::size_t seen = 0;
  std::int64_t dropped_at = 0;
  copy_capture_without(
      from, to / "capture.pcapng",
      [&](const capture::CapturePacket& p) {
        if (source_port(p.data) != server_port || tcp_payload(p.data) == 0) return false;
        if (++seen != server_segments - 1) return false;
        dropped_at = p.timestamp_ns;
        return true;
      },
      record_drop);
  REQUIRE(dropped_at != 0);
  return dropped_at;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

decrypt::KnownCaptureLoss loss_around(std::int64_t from_ns, std::int64_t to_ns) {
  return decrypt::KnownCaptureLoss{from_ns, to_ns, "the capture files could not be written then", "keep the disk writable"};
}

// One generated connection of 6 exchanges, copied to DIR/capture.pcapng
// without a late server segment (recorded as a drop with `record_drop`).
struct LateGap {
  LateGap(const fs::path& dir, bool record_drop)
      : scenario(generate_ok(config(dir))),
        dropped_at(copy_without_late_server_segment(capture_paths(scenario).at(0), dir,
                                                    scenario.connections.at(0).server.port, record_drop)),
        file(dir / "capture.pcapng") {}
  static testgen::ScenarioConfig config(const fs::path& dir) {
    testgen::ScenarioConfig config = base_config(dir / "gen");
    config.specs[0].traffic.exchanges = 6;
    return config;
  }
  const testgen::GeneratedScenario scenario;
  const std::int64_t dropped_at;
  const fs::path file;
};

// Copies `from` to `to` behind `fillers` UDP frames, in the second before its
// first packet, each of which records a drop count of 1.
void copy_behind_recorded_drops(const fs::path& from, const fs::path& to, std::size_t fillers) {
  bool first = true;
  rewrite_capture(from, to, [&](capture::CaptureWriter& writer, std::uint32_t interface_id,
                                const capture::CapturePacket& p) {
    if (std::exchange(first, false)) {
      // Ethernet, IPv4 10.99.0.2 -> 10.99.0.1, UDP 5353 -> 5353, 8 bytes.
      std::vector<std::uint8_t> udp(14 + 20 + 8 + 8, 0);
      const std::uint8_t headers[] = {0x08, 0x00, 0x45, 0, 0, 36, 0, 0, 0, 0, 64, 17, 0, 0, 10, 99, 0, 2, 10, 99, 0, 1,
                                      0x14, 0xe9, 0x14, 0xe9, 0, 16};
      std::copy(std::begin(headers), std::end(headers), udp.begin() + 12);
      for (std::size_t i = 0; i < fillers; ++i) {
        const std::int64_t at = p.timestamp_ns - 1'000'000'000 + static_cast<std::int64_t>(i) * 1000;
        REQUIRE(writer.write_packet(at, interface_id, udp, 0, 1).ok());
      }
    }
    REQUIRE(writer.write_packet(p.timestamp_ns, interface_id, p.data, 0, p.dropped_before).ok());
  });
}

constexpr const char* kFixRecordedDrops = "give the capture a writable disk with space free";
constexpr const char* kFixStatisticsDrops = "capture with a larger capture buffer (dumpcap -B, tcpdump -B";

// `files`, which hold `gap`'s connection and record the drops themselves,
// decrypt (with one worker and two) to partially_decrypted with `reason_part`
// in the reason and `fix_part` in the fix for a capture that lost packets.
void check_gap_explained_by_files(const LateGap& gap, const std::vector<fs::path>& files,
                                  const std::string& reason_part, const std::string& fix_part) {
  const auto& connection = gap.scenario.connections.at(0);
  for (unsigned workers : {1u, 2u}) {
    INFO("workers " << workers);
    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(connection.server), load_key(gap.scenario.key_pem));
    auto run = decrypt_files(keys, files, workers, nullptr);  // nothing known but what the files say
    const RecordedConnection* got = find_connection(*run, connection);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->report.verdict == decrypt::Verdict::partially_decrypted);
    CHECK(contains(got->report.reason, reason_part));
    CHECK(contains(got->report.fix, fix_part));
    CHECK_FALSE(contains(got->report.fix, "reduce packet loss"));
  }
}

// The capture times of the packets of `file`, and of the server's data segments among them.
struct PacketTimes {
  std::vector<std::int64_t> all;
  std::vector<std::int64_t> server_data;
};
PacketTimes packet_times(const fs::path& file, std::uint16_t server_port) {
  PacketTimes times;
  auto reader = capture::CaptureReader::open(file);
  REQUIRE(reader.ok());
  for (capture::CaptureEvent e = (*reader)->next(); e.kind == capture::CaptureEvent::Kind::packet;
       e = (*reader)->next()) {
    times.all.push_back(e.packet.timestamp_ns);
    if (source_port(e.packet.data) == server_port && tcp_payload(e.packet.data) > 0) {
      times.server_data.push_back(e.packet.timestamp_ns);
    }
  }
  REQUIRE(!times.all.empty());
  return times;
}

// Copies the packets of `from` captured in [from_ns, to_ns) to `to`.
void copy_time_range(const fs::path& from, const fs::path& to, std::int64_t from_ns, std::int64_t to_ns) {
  rewrite_capture(from, to, [&](capture::CaptureWriter& writer, std::uint32_t interface_id,
                                const capture::CapturePacket& p) {
    if (p.timestamp_ns < from_ns || p.timestamp_ns >= to_ns) return;
    REQUIRE(writer.write_packet(p.timestamp_ns, interface_id, p.data, 0, p.dropped_before).ok());
  });
}

// Appends to `file` an Interface Statistics Block for its interface 0, as a
// capturing program writes one when it closes the file: the counters read at
// tick `read_at`, counting from tick `start`, with isb_ifdrop `dropped`. The
// ticks are written as given (the writer's interfaces declare nanoseconds).
void append_statistics(const fs::path& file, std::uint64_t read_at, std::uint64_t start, std::uint64_t dropped) {
  std::uint8_t block[capture::blocks::isb_size(true)];
  capture::blocks::encode_isb(block, 0, static_cast<std::int64_t>(read_at), static_cast<std::int64_t>(start), 0,
                              dropped);
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(block), sizeof block);
  REQUIRE(out.good());
}

}  // namespace

TEST_CASE("Known capture loss: a gap in its time is explained by it and the fix is its own", "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), false);
  const auto& scenario = gap.scenario;
  const auto& connection = scenario.connections.at(0);
  const std::int64_t dropped_at = gap.dropped_at;
  const fs::path& file = gap.file;

  for (unsigned workers : {1u, 2u}) {
    // The connection's report, decrypted with the server's key and `losses` known.
    const auto report_with = [&](const decrypt::CaptureLosses* losses) {
      decrypt::KeyStore keys;
      keys.add_bound_key(to_endpoint(connection.server), load_key(scenario.key_pem));
      auto run = decrypt_files(keys, {file}, workers, losses);
      const RecordedConnection* got = find_connection(*run, connection);
      REQUIRE(got != nullptr);
      UNSCOPED_INFO(describe(*got));
      return got->report;
    };

    DYNAMIC_SECTION("no loss known: packet loss on the way is blamed, workers " << workers) {
      const decrypt::SessionReport report = report_with(nullptr);
      CHECK(report.verdict == decrypt::Verdict::partially_decrypted);
      CHECK(contains(report.fix, "reduce packet loss"));
    }
    DYNAMIC_SECTION("a loss known at the time of the gap explains it, workers " << workers) {
      decrypt::CaptureLosses losses;
      losses.add(loss_around(dropped_at - 1'000'000, dropped_at + 1'000'000));
      const decrypt::SessionReport report = report_with(&losses);
      CHECK(report.verdict == decrypt::Verdict::partially_decrypted);
      CHECK(contains(report.reason, "1 gap(s) in the TCP stream ("));
      CHECK(contains(report.reason, "bytes not captured: the capture files could not be written then)"));
      CHECK(report.fix == "keep the disk writable");
    }
    DYNAMIC_SECTION("a loss known at another time does not, workers " << workers) {
      decrypt::CaptureLosses losses;
      losses.add(loss_around(dropped_at + 3600'000'000'000, dropped_at + 3601'000'000'000));
      const decrypt::SessionReport report = report_with(&losses);
      CHECK(report.verdict == decrypt::Verdict::partially_decrypted);
      CHECK(contains(report.fix, "reduce packet loss"));
      CHECK_FALSE(contains(report.reason, "could not be written"));
    }
  }
}

TEST_CASE("Known capture loss: a drop count recorded in the capture file explains the gap after it", "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), true);
  const fs::path& file = gap.file;

  // The file says it: the packet after the one left out records a drop count of 1.
  auto reader = capture::CaptureReader::open(file);
  REQUIRE(reader.ok());
  std::vector<std::uint64_t> drop_counts;
  for (capture::CaptureEvent e = (*reader)->next(); e.kind == capture::CaptureEvent::Kind::packet;
       e = (*reader)->next()) {
    if (e.packet.dropped_before != 0) drop_counts.push_back(e.packet.dropped_before);
  }
  CHECK(drop_counts == std::vector<std::uint64_t>{1});

  check_gap_explained_by_files(gap, {file},
                               "bytes not captured: the capture file records that the capturing side lost 1 packet(s) "
                               "there (pcapng drop count))",
                               kFixRecordedDrops);
}

TEST_CASE("Known capture loss: a file that records drops everywhere still explains a late gap, from bounded losses",
          "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), true);
  // Twice as many places as are kept one by one, all before the connection.
  const fs::path file = dir.path() / "drops-everywhere.pcapng";
  copy_behind_recorded_drops(gap.file, file, 2 * decrypt::DecryptEngine::kRecordedLossesTold);
  check_gap_explained_by_files(gap, {file},
                               "bytes not captured: the capture files record that the capturing side lost packets at "
                               "more than 256 places, there and later (pcapng drop counts))",
                               kFixRecordedDrops);
}

TEST_CASE("Known capture loss: a resumed session whose full handshake was not seen may have been lost then",
          "[e2e][partial]") {
  TempDir dir;
  testgen::ScenarioConfig config = base_config(dir.path());
  config.specs[0].tls.resumption = testgen::Resumption::session_id;
  config.specs[0].resumptions = 1;
  config.output.split_before_connections = {1};
  const auto scenario = generate_ok(config);
  REQUIRE(scenario.files.size() == 2);
  REQUIRE(scenario.connections.size() == 2);
  REQUIRE(scenario.connections[1].resumed);
  REQUIRE(scenario.connections[1].files == std::vector<std::size_t>{1});
  const auto& resumed = scenario.connections[1];

  // Only the second file: the full handshake is in the first, which stands
  // for the files that could not be written.
  for (const bool loss_known : {false, true}) {
    INFO("loss known " << loss_known);
    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(resumed.server), load_key(scenario.key_pem));
    decrypt::CaptureLosses losses;
    losses.add(loss_around(0, 1));  // long before: 1970
    auto run = decrypt_files(keys, {scenario.files[1].path}, 1, loss_known ? &losses : nullptr);
    const RecordedConnection* got = find_connection(*run, resumed);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->report.verdict == decrypt::Verdict::resumed_session_unknown);
    CHECK(contains(got->report.reason, "that session's full handshake is not in the capture"));
    CHECK(contains(got->report.reason, "the capture files could not be written then, and it may have been then") ==
          loss_known);
    CHECK(contains(got->report.fix, "keep the disk writable; else: capture from before the clients connect") ==
          loss_known);
    CHECK(contains(got->report.fix, "capture from before the clients connect"));
  }
}

TEST_CASE("Capture statistics: drops that the statistics at the file's end count explain a gap in their time",
          "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), false);
  const PacketTimes times = packet_times(gap.file, gap.scenario.connections.at(0).server.port);
  const auto start = static_cast<std::uint64_t>(times.all.front() - 1'000'000'000);
  const auto read_at = static_cast<std::uint64_t>(times.all.back() + 1'000'000'000);
  // In the interface's unit (nanoseconds here), and in microseconds whatever
  // the interface says, as dumpcap 4.0 writes them.
  for (const std::uint64_t tick_ns : {std::uint64_t{1}, std::uint64_t{1000}}) {
    INFO("tick " << tick_ns << " ns");
    const fs::path file = dir.path() / ("with-statistics-" + std::to_string(tick_ns) + ".pcapng");
    fs::copy_file(gap.file, file, fs::copy_options::overwrite_existing);
    append_statistics(file, read_at / tick_ns, start / tick_ns, 7);
    check_gap_explained_by_files(gap, {file},
                                 "bytes not captured: capture file " + file.filename().string() +
                                     " records that the capture dropped 7 packet(s) between ",
                                 kFixStatisticsDrops);

    decrypt::KeyStore keys;
    auto run = decrypt_files(keys, {file});
    REQUIRE(run->files.size() == 1);
    CHECK(run->files[0].dropped_by_capture == 7);
    REQUIRE(run->files[0].warnings.size() == 1);
    CHECK(contains(run->files[0].warnings[0], ": the capture dropped 7 packet(s) between "));
    CHECK(contains(run->files[0].warnings[0], "by the interface statistics at the file's end"));
  }
}

TEST_CASE("Capture statistics: statistics that count no drops leave a gap to packet loss on the way",
          "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), false);
  const PacketTimes times = packet_times(gap.file, gap.scenario.connections.at(0).server.port);
  const fs::path file = dir.path() / "no-drops.pcapng";
  fs::copy_file(gap.file, file);
  append_statistics(file, static_cast<std::uint64_t>(times.all.back() + 1),
                    static_cast<std::uint64_t>(times.all.front()), 0);
  const auto& connection = gap.scenario.connections.at(0);
  decrypt::KeyStore keys;
  keys.add_bound_key(to_endpoint(connection.server), load_key(gap.scenario.key_pem));
  auto run = decrypt_files(keys, {file});
  const RecordedConnection* got = find_connection(*run, connection);
  REQUIRE(got != nullptr);
  INFO(describe(*got));
  CHECK(got->report.verdict == decrypt::Verdict::partially_decrypted);
  CHECK(contains(got->report.fix, "reduce packet loss"));
  CHECK(run->files.at(0).dropped_by_capture == 0);
  CHECK(run->files.at(0).warnings.empty());
}

TEST_CASE("Capture statistics: in a ring whose counters count on from the capture's start, a file's drops are "
          "those past the previous file's count",
          "[e2e][partial]") {
  TempDir dir;
  const LateGap gap(dir.path(), false);
  const PacketTimes times = packet_times(gap.file, gap.scenario.connections.at(0).server.port);
  // The server's data before the one left out starts the second file, so that
  // the gap lies wholly in the second file's time.
  std::int64_t split_at = 0;
  for (const std::int64_t t : times.server_data) {
    if (t < gap.dropped_at) split_at = t;
  }
  REQUIRE(split_at > times.all.front());
  const fs::path first = dir.path() / "ring-1.pcapng";
  const fs::path second = dir.path() / "ring-2.pcapng";
  copy_time_range(gap.file, first, times.all.front(), split_at);
  copy_time_range(gap.file, second, split_at, times.all.back() + 1);
  const auto capture_start = static_cast<std::uint64_t>(times.all.front() - 1'000'000'000);
  append_statistics(first, static_cast<std::uint64_t>(split_at - 1), capture_start, 5);

  struct Second {
    std::uint64_t start;
    std::uint64_t dropped;
    std::uint64_t new_drops;  // what the second file adds
  };
  for (const Second& s : {Second{capture_start, 5, 0}, Second{capture_start, 9, 4}, Second{capture_start + 1, 5, 5}}) {
    INFO("second file: " << s.dropped << " dropped since " << s.start);
    fs::copy_file(second, dir.path() / "ring-2-stats.pcapng", fs::copy_options::overwrite_existing);
    const fs::path second_with = dir.path() / "ring-2-stats.pcapng";
    append_statistics(second_with, static_cast<std::uint64_t>(times.all.back() + 1'000'000'000), s.start, s.dropped);

    const auto& connection = gap.scenario.connections.at(0);
    decrypt::KeyStore keys;
    keys.add_bound_key(to_endpoint(connection.server), load_key(gap.scenario.key_pem));
    auto run = decrypt_files(keys, {first, second_with});
    REQUIRE(run->files.size() == 2);
    CHECK(run->files[0].dropped_by_capture == 5);
    CHECK(run->files[1].dropped_by_capture == s.new_drops);
    CHECK(run->files[1].warnings.size() == (s.new_drops > 0 ? 1u : 0u));
    const RecordedConnection* got = find_connection(*run, connection);
    REQUIRE(got != nullptr);
    INFO(describe(*got));
    CHECK(got->report.verdict == decrypt::Verdict::partially_decrypted);
    if (s.new_drops == 0) {
      // The first file's drops came before the gap: they do not explain it.
      CHECK(contains(got->report.fix, "reduce packet loss"));
      CHECK_FALSE(contains(got->report.reason, "interface statistics"));
    } else {
      CHECK(contains(got->report.reason, "capture file ring-2-stats.pcapng records that the capture dropped " +
                                             std::to_string(s.new_drops) + " packet(s) between "));
      CHECK(contains(got->report.fix, kFixStatisticsDrops));
    }
  }
}
