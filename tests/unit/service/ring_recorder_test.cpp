// The ring recorder driven on its own, with packets and times made up here:
// when files start and end, that no packet is lost or doubled at a rotation,
// the stop deadline, and the ring limits acting with the decrypted-files ledger.
#include <catch2/catch.hpp>
#include <filesystem>
#include <vector>

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

TEST_CASE("the recorder asks to stop once the stop deadline is reached") {
  RingRecorderOptions options = every_two_seconds();
  options.stop_at_ns = kBase + 3 * kSecond;
  Fixture f(options);
  for (std::int64_t ms : {1900, 2000, 2900}) {
    CHECK(f.recorder->on_tick(kBase + ms * kMillisecond) == ConsumerAction::proceed);
  }
  CHECK(f.recorder->on_tick(kBase + 3 * kSecond) == ConsumerAction::stop);
  CHECK(f.recorder->stop_reached());
  f.recorder->on_drain();
  CHECK(f.files_on_disk().size() == 2);
  for (const auto& file : f.files_on_disk()) CHECK(file.extension() == ".pcapng");
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
  CHECK(stats.paused_drops == 10);
  CHECK(stats.packets == 0);
  CHECK(stats.last_error.find("capture paused") != std::string::npos);
  CHECK(f.files_on_disk().empty());
}
