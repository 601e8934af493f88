// The ring recorder driven on its own, with packets and times made up here:
// when files start and end, that no packet is lost or doubled at a rotation,
// and the ring limits acting with the decrypted-files ledger.
#include <catch2/catch.hpp>

#include <algorithm>

#include <csignal>
#include <filesystem>
#include <vector>

#ifndef _WIN32
#include <sys/resource.h>
#endif

#include "core/capture/capture_reader.h"
#include "daemon/ring/capture_file_name.h"
#include "daemon/service/ring_recorder.h"

using namespace tlsring;
using namespace tlsring::daemon;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// 2025-12-06T05:46:40Z, an even second: 2 s boundaries fall on even seconds.
constexpr std::int64_t kBase = 1'765'000'000 * kSecond;
constexpr std::int64_t kMillisecond = 1'000'000;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<DecryptedLedger> ledger;
  std::vector<CompletedFile> completed;
  std::unique_ptr<RingRecorder> recorder;

  explicit Fixture(RingRecorderOptions options) {
    dir = std::filesystem::temp_directory_path() /
          ("tlsring-recorder-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    RingWriterOptions writer_options;
    writer_options.directory = dir;
    writer_options.interfaces = {InterfaceInfo{"lo", 1, 262144}};
    auto writer = RingWriter::create(writer_options);
    REQUIRE(writer.ok());
    auto opened = DecryptedLedger::open(dir / ".decrypted");
    REQUIRE(opened.ok());
    ledger = std::move(opened.value());
    recorder = std::make_unique<RingRecorder>(
        std::move(writer.value()), options, *ledger, [this](const CompletedFile& f) { completed.push_back(f); },
        nullptr);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  static int& counter() {
    static int n = 0;
    return n;
  }

  std::vector<std::filesystem::path> files_on_disk() const {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().filename().string().rfind("tlsring-", 0) == 0) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
};

RingRecorderOptions every_two_seconds() {
  RingRecorderOptions options;
  options.rotation.every_ns = 2 * kSecond;
  options.limits.min_free_space = 0;
  return options;
}

std::uint64_t count_packets(const std::filesystem::path& file, std::vector<std::int64_t>* timestamps = nullptr) {
  auto reader = capture::CaptureReader::open(file);
  REQUIRE(reader.ok());
  std::uint64_t packets = 0;
  for (;;) {
    auto event = (*reader)->next();
    if (event.kind == capture::CaptureEvent::Kind::end) break;
    REQUIRE(event.kind != capture::CaptureEvent::Kind::truncated);
    if (event.kind != capture::CaptureEvent::Kind::packet) continue;
    ++packets;
    if (timestamps != nullptr) timestamps->push_back(event.packet.timestamp_ns);
  }
  return packets;
}

// A 60-byte Ethernet frame; its last 8 bytes number it.
std::vector<std::uint8_t> frame(std::uint64_t number) {
  std::vector<std::uint8_t> bytes(60, 0);
  for (int i = 0; i < 8; ++i) bytes[52 + i] = static_cast<std::uint8_t>(number >> (8 * i));
  return bytes;
}

}  // namespace

TEST_CASE("files start on clock boundaries even when no packet arrives") {
  Fixture f(every_two_seconds());
  // Ticks every 100 ms from 05:46:40.1 to 05:46:46.8, then the drain.
  for (std::int64_t t = kBase + kSecond / 10; t <= kBase + 6800 * kMillisecond; t += kSecond / 10) {
    REQUIRE(f.recorder->on_tick(t) == ConsumerAction::proceed);
  }
  f.recorder->on_drain();
  REQUIRE(f.completed.size() == 4);
  const std::vector<std::string> expected_starts = {"20251206T054640Z", "20251206T054642Z", "20251206T054644Z",
                                                    "20251206T054646Z"};
  const auto files = f.files_on_disk();
  REQUIRE(files.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(files[i]);
    CHECK(f.completed[i].sequence == i + 1);
    CHECK(files[i].filename().string().find(expected_starts[i]) != std::string::npos);
    CHECK(files[i].extension() == ".pcapng");
    CHECK(count_packets(files[i]) == 0);
  }
  // Each file ended where the next began (the ticks after the boundary).
  CHECK(f.completed[0].end_ns == kBase + 2 * kSecond);
  CHECK(f.completed[3].end_ns == kBase + 6800 * kMillisecond);
}

TEST_CASE("a clock set back ends the current file at the next tick: files keep to the clock's new intervals") {
  Fixture f(every_two_seconds());
  for (std::int64_t t = kBase + kSecond / 10; t <= kBase + 1500 * kMillisecond; t += kSecond / 10) {
    f.recorder->on_tick(t);
  }
  // The clock is set back by an hour at 05:46:41.5; the service notices it (ClockSteps) and says so.
  const std::int64_t back = kBase - 3600 * kSecond;
  f.recorder->end_file_at_next_tick();
  for (std::int64_t t = back + 1600 * kMillisecond; t <= back + 4500 * kMillisecond; t += kSecond / 10) {
    f.recorder->on_tick(t);
  }
  f.recorder->on_drain();
  // The first file ended at the first tick after the step (not an hour later,
  // at 05:46:42 on the new clock), and the next ones keep to the new time.
  REQUIRE(f.completed.size() == 4);
  // Its end is not the tick's time, an hour before its start.
  CHECK(f.completed[0].end_ns == f.completed[0].start_ns);
  CHECK(f.completed[0].start_ns == kBase + kSecond / 10);
  const std::vector<std::string> expected_starts = {"20251206T054640Z", "20251206T044640Z", "20251206T044642Z",
                                                    "20251206T044644Z"};
  const auto files = f.files_on_disk();
  REQUIRE(files.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(files[i]);
    CHECK(files[i].filename().string().find(expected_starts[i]) != std::string::npos);
  }
  CHECK(f.completed[1].end_ns == back + 2 * kSecond);
}

TEST_CASE("no packet is lost or written twice across rotations") {
  Fixture f(every_two_seconds());
  // 200 packets, one every 25 ms over 5 s, with a tick every 100 ms in between.
  std::uint64_t sent = 0;
  for (std::int64_t t = kBase; t < kBase + 5 * kSecond; t += 25'000'000) {
    if ((t - kBase) % 100'000'000 == 0) REQUIRE(f.recorder->on_tick(t) == ConsumerAction::proceed);
    const auto bytes = frame(sent);
    CapturedPacket packet{t, 0, static_cast<std::uint32_t>(bytes.size()), bytes};
    REQUIRE(f.recorder->on_packet(packet) == ConsumerAction::proceed);
    ++sent;
  }
  f.recorder->on_drain();
  REQUIRE(sent == 200);
  const auto files = f.files_on_disk();
  REQUIRE(files.size() == 3);  // [40, 42), [42, 44), [44, 45)
  std::vector<std::int64_t> timestamps;
  std::uint64_t total = 0;
  for (const auto& file : files) total += count_packets(file, &timestamps);
  CHECK(total == sent);
  REQUIRE(timestamps.size() == sent);
  for (std::size_t i = 0; i < timestamps.size(); ++i) CHECK(timestamps[i] == kBase + static_cast<std::int64_t>(i) * 25'000'000);
  CHECK(f.recorder->stats().packets == sent);
  // Each file holds the packets of its two seconds: 80, 80 and 40.
  CHECK(count_packets(files[0]) == 80);
  CHECK(count_packets(files[1]) == 80);
  CHECK(count_packets(files[2]) == 40);
}

TEST_CASE("keep_files deletes the oldest files only once they are decrypted") {
  RingRecorderOptions options = every_two_seconds();
  options.limits.keep_files = 2;
  Fixture f(options);
  for (std::int64_t t = kBase; t <= kBase + 9 * kSecond; t += kSecond / 10) f.recorder->on_tick(t);
  f.recorder->on_drain();
  // Nothing is decrypted: every file stays, whatever keep_files says.
  REQUIRE(f.files_on_disk().size() == 5);
  CHECK(f.recorder->stats().files_deleted == 0);
  // The decryptor finishes the first three: all but the newest two go.
  for (std::size_t i = 0; i < 3; ++i) REQUIRE(f.ledger->mark(f.completed[i].path.filename().string()).ok());
  f.recorder->enforce_limits();
  const auto left = f.files_on_disk();
  REQUIRE(left.size() == 2);
  CHECK(left[0] == f.completed[3].path);
  CHECK(left[1] == f.completed[4].path);
  CHECK(f.recorder->stats().files_deleted == 3);
  CHECK(f.recorder->stats().files_deleted_undecrypted == 0);
}

TEST_CASE("when the disk limit cannot be met the recorder pauses: no file, packets counted as dropped") {
  RingRecorderOptions options = every_two_seconds();
  options.limits.min_free_space = std::uint64_t{1} << 62;  // more than any disk has free
  Fixture f(options);
  f.recorder->on_tick(kBase);
  const auto bytes = frame(1);
  for (int i = 0; i < 10; ++i) {
    CapturedPacket packet{kBase + i * kMillisecond, 0, static_cast<std::uint32_t>(bytes.size()), bytes};
    f.recorder->on_packet(packet);
  }
  f.recorder->on_drain();
  const RingRecorderStats stats = f.recorder->stats();
  CHECK(stats.paused);
  CHECK(stats.not_written == 10);
  CHECK(stats.packets == 0);
  CHECK(stats.last_error.find("capture paused") != std::string::npos);
  CHECK(f.files_on_disk().empty());
}

#ifndef _WIN32
namespace {

// Files written by this process may not grow past `bytes` while it lives (a
// real write error, EFBIG, without a full disk or root); lift() ends it early.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);  // the write fails instead of killing the process
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    lift();
    std::signal(SIGXFSZ, old_handler_);
  }
  void lift() { ::setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("a file that cannot be written is cut after its last whole packet and handed on and its outage is counted") {
  RingRecorderOptions options;
  options.rotation.every_ns = 60 * kSecond;
  options.limits.min_free_space = 0;
  Fixture f(options);
  std::vector<WriteOutage> outages;
  f.recorder->set_outage_callback([&](const WriteOutage& o) { outages.push_back(o); });

  // 2000 packets, one every 5 ms over 10 s, a tick every 100 ms. The file
  // opens at the first tick; buffered packets are written at the next tick
  // (0.1 s) and then every second. The flush at 1.1 s (200 packets, more
  // than 16 KiB) fails; the limit is lifted at 3 s; the next file is started
  // 5 s after the failure, at the 6.1 s tick, and written at the 6.2 s tick.
  const std::int64_t failed_at = kBase + 1100 * kMillisecond;
  const std::int64_t reopened_at = failed_at + 5 * kSecond;
  const std::int64_t written_again_at = reopened_at + 100 * kMillisecond;
  std::uint64_t sent = 0;
  {
    FileSizeLimit limit(16 * 1024);
    for (std::int64_t t = kBase; t < kBase + 10 * kSecond; t += 5 * kMillisecond) {
      if (t == kBase + 3 * kSecond) limit.lift();
      if ((t - kBase) % (100 * kMillisecond) == 0) REQUIRE(f.recorder->on_tick(t) == ConsumerAction::proceed);
      const auto bytes = frame(sent);
      CapturedPacket packet{t, 0, static_cast<std::uint32_t>(bytes.size()), bytes};
      REQUIRE(f.recorder->on_packet(packet) == ConsumerAction::proceed);
      ++sent;
    }
  }
  f.recorder->on_drain();

  // Two whole files, no .part, both handed on for decryption.
  const auto files = f.files_on_disk();
  REQUIRE(files.size() == 2);
  for (const auto& file : files) CHECK(file.extension() == ".pcapng");
  REQUIRE(f.completed.size() == 2);
  CHECK(std::filesystem::file_size(files[0]) <= 16 * 1024);

  // The first file holds the first K packets, in order; the second every
  // packet from its start on (one every 5 ms up to 10 s).
  std::vector<std::int64_t> first_times, second_times;
  const std::uint64_t kept_first = count_packets(files[0], &first_times);
  const std::uint64_t kept_second = count_packets(files[1], &second_times);
  CHECK(kept_first > 0);
  CHECK(kept_first < 200);  // the flush at 1 s held 200 packets: some did not fit
  for (std::size_t i = 0; i < first_times.size(); ++i) CHECK(first_times[i] == kBase + static_cast<std::int64_t>(i) * 5 * kMillisecond);
  CHECK(kept_second == static_cast<std::uint64_t>((kBase + 10 * kSecond - reopened_at) / (5 * kMillisecond)));
  REQUIRE_FALSE(second_times.empty());
  CHECK(second_times.front() == reopened_at);
  // Named by when it started, after the first file.
  CHECK(f.completed[1].start_ns == reopened_at);
  CHECK(files[1].filename().string().find("20251206T054646Z") != std::string::npos);
  CHECK(f.completed[0].packets == kept_first);
  CHECK(f.completed[1].packets == kept_second);

  // Every packet is either in a file or counted as not written, once.
  const RingRecorderStats stats = f.recorder->stats();
  CHECK(stats.packets == kept_first + kept_second);
  CHECK(stats.packets + stats.not_written == sent);
  CHECK(stats.files_written == 2);
  CHECK(stats.bytes == 60 * stats.packets);

  // One outage, from the failed flush to the first flush that wrote packets again.
  REQUIRE(outages.size() == 1);
  CHECK(outages[0].start_ns == failed_at);
  CHECK(outages[0].end_ns == written_again_at);
  CHECK_FALSE(outages[0].until_stop);
  CHECK(outages[0].packets_not_written == stats.not_written);
  CHECK(outages[0].cause.find("cannot write a capture file") != std::string::npos);
  CHECK(outages[0].cause.find("File too large") != std::string::npos);

  // The files say it too: the first packet written after the outage records
  // that many packets lost before it (pcapng epb_dropcount), and no other does.
  std::vector<std::uint64_t> drop_counts;
  for (const auto& file : files) {
    auto reader = tlsring::capture::CaptureReader::open(file);
    REQUIRE(reader.ok());
    for (auto e = (*reader)->next(); e.kind == tlsring::capture::CaptureEvent::Kind::packet; e = (*reader)->next()) {
      drop_counts.push_back(e.packet.dropped_before);
    }
  }
  REQUIRE(drop_counts.size() == kept_first + kept_second);
  CHECK(drop_counts[kept_first] == stats.not_written);
  CHECK(std::count(drop_counts.begin(), drop_counts.end(), 0u) == static_cast<std::ptrdiff_t>(drop_counts.size() - 1));
}
#endif
