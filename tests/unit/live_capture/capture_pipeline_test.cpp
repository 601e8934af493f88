// CapturePipeline on the loopback interface: the consumer sees every packet
// in order, ticks without traffic, stop() drains, the consumer can stop the
// capture, and an exhausted pool drops (and counts) instead of blocking.
// Every test opens `lo` and so needs root; without it it is skipped (exit 4).
#include "daemon/capture/capture_pipeline.h"
#include "tests/unit/live_capture/live_test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace tlsring::daemon;
using namespace tlsring::testing;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Records every call, in order, under a lock (calls come on the writer thread).
class RecordingConsumer final : public CaptureConsumer {
 public:
  std::function<ConsumerAction(const CapturedPacket&)> packet_hook;  // runs before recording
  std::function<ConsumerAction(std::int64_t)> tick_hook;

  ConsumerAction on_packet(const CapturedPacket& packet) override {
    const ConsumerAction action = packet_hook ? packet_hook(packet) : ConsumerAction::proceed;
    std::lock_guard lock(mutex_);
    events_ += 'p';
    packets_.emplace_back(packet.data.begin(), packet.data.end());
    // The packet comes encoded as the pipeline's records (pcapng EPB by
    // default), its data inside the record, the record right after the last.
    const bool inside = !packet.record.empty() && packet.data.data() >= packet.record.data() &&
                        packet.data.data() + packet.data.size() <= packet.record.data() + packet.record.size();
    if (!inside || (packet_in_block_ > 0 && packet.record.data() != last_record_end_)) ++misplaced_records_;
    last_record_end_ = packet.record.data() + packet.record.size();
    ++packet_in_block_;
    return action;
  }

  void on_block_end() override {
    std::lock_guard lock(mutex_);
    ++blocks_ended_;
    packet_in_block_ = 0;
  }
  std::size_t blocks_ended() const {
    std::lock_guard lock(mutex_);
    return blocks_ended_;
  }
  std::size_t misplaced_records() const {
    std::lock_guard lock(mutex_);
    return misplaced_records_;
  }

  ConsumerAction on_tick(std::int64_t now_ns) override {
    const ConsumerAction action = tick_hook ? tick_hook(now_ns) : ConsumerAction::proceed;
    std::lock_guard lock(mutex_);
    events_ += 't';
    tick_values_.push_back(now_ns);
    tick_times_.push_back(SteadyClock::now());
    return action;
  }

  void on_drain() override {
    std::lock_guard lock(mutex_);
    events_ += 'd';
  }

  std::vector<std::vector<std::uint8_t>> packets() const {
    std::lock_guard lock(mutex_);
    return packets_;
  }
  std::vector<std::int64_t> tick_values() const {
    std::lock_guard lock(mutex_);
    return tick_values_;
  }
  std::vector<SteadyClock::time_point> tick_times() const {
    std::lock_guard lock(mutex_);
    return tick_times_;
  }
  std::string events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<std::uint8_t>> packets_;
  std::vector<std::int64_t> tick_values_;
  std::vector<SteadyClock::time_point> tick_times_;
  std::string events_;  // 'p' packet, 't' tick, 'd' drain
  std::size_t blocks_ended_ = 0;
  std::size_t packet_in_block_ = 0;
  std::size_t misplaced_records_ = 0;
  const std::uint8_t* last_record_end_ = nullptr;
};

std::unique_ptr<LiveCapture> open_lo(const std::string& filter, std::uint32_t snaplen = 262144) {
  LiveCaptureOptions options;
  options.interfaces = {"lo"};
  options.filter = filter;
  options.snaplen = snaplen;
  options.buffer_size = 8u << 20;
  auto capture = LiveCapture::create(options);
  INFO((capture.ok() ? std::string() : capture.error().message));
  REQUIRE(capture.ok());
  return std::move(capture.value());
}

std::unique_ptr<CapturePipeline> start(std::unique_ptr<LiveCapture> capture, CaptureConsumer& consumer,
                                       std::function<std::int64_t()> clock = wall_now_ns,
                                       const CapturePipelineOptions& options = {}) {
  auto pipeline = CapturePipeline::start(std::move(capture), consumer, std::move(clock), options);
  INFO((pipeline.ok() ? std::string() : pipeline.error().message));
  REQUIRE(pipeline.ok());
  return std::move(pipeline.value());
}

// The 4-byte sequence number LoopbackUdp puts at the start of each payload.
std::uint32_t udp_sequence(const std::vector<std::uint8_t>& frame) {
  const auto decoded = decode_ethernet_ipv4(frame);
  REQUIRE(decoded);
  REQUIRE(decoded->protocol == 17);
  REQUIRE(decoded->payload.size() >= 4);
  const auto* p = reinterpret_cast<const std::uint8_t*>(decoded->payload.data());
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

template <class Condition>
bool wait_for(Condition condition, std::chrono::milliseconds limit) {
  const auto deadline = SteadyClock::now() + limit;
  while (!condition()) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace

TEST_CASE("capture pipeline: a TCP conversation reaches the consumer whole and in order, even when stop() follows at once") {
  require_root();
  LoopbackTcp tcp;
  RecordingConsumer consumer;
  auto pipeline = start(open_lo("tcp port " + std::to_string(tcp.port())), consumer);
  REQUIRE(pipeline->interfaces().size() == 1);
  CHECK(pipeline->interfaces()[0].name == "lo");

  tcp.connect();
  std::string sent;
  for (int i = 0; i < 60; ++i) {
    const std::string message = message_bytes(i, 10 + static_cast<std::size_t>(i) * 131);
    tcp.send(message);
    sent += message;
  }
  tcp.close_client();
  // No waiting: the last packets are still in the kernel's open ring block.
  pipeline->stop();

  const auto packets = consumer.packets();
  REQUIRE(!packets.empty());
  const auto first = decode_ethernet_ipv4(packets.front());
  REQUIRE(first);
  CHECK(first->dst_port == tcp.port());
  CHECK(first->tcp_flags == kTcpSyn);

  std::string received;
  int fins = 0;
  for (const auto& frame : packets) {
    const auto decoded = decode_ethernet_ipv4(frame);
    REQUIRE(decoded);
    if (decoded->dst_port != tcp.port()) continue;
    received += decoded->payload;
    if (decoded->tcp_flags & kTcpFin) ++fins;
  }
  CHECK(received.size() == sent.size());
  CHECK(received == sent);
  CHECK(fins == 1);
  CHECK(consumer.misplaced_records() == 0);
  CHECK(consumer.blocks_ended() >= 1);

  const std::string events = consumer.events();
  CHECK(events.back() == 'd');
  CHECK(std::count(events.begin(), events.end(), 'd') == 1);
  const CaptureStats stats = pipeline->stats();
  CHECK(stats.packets == packets.size());
  CHECK(stats.delivered == packets.size());
  CHECK(stats.user_dropped == 0);
  REQUIRE(stats.kernel.size() == 1);
  CHECK(stats.kernel[0].dropped == 0);
  CHECK(stats.kernel[0].received >= packets.size());
  CHECK(stats.error.empty());
  CHECK(pipeline->finished());
}

TEST_CASE("capture pipeline: ticks come at least every 200 ms without any packet, with the clock given") {
  require_root();
  LoopbackUdp quiet;  // a bound port nobody sends to
  RecordingConsumer consumer;
  std::atomic<std::int64_t> fake_now{0};
  const auto fake_clock = [&fake_now] { return fake_now += 1000; };
  auto pipeline = start(open_lo("udp port " + std::to_string(quiet.port())), consumer, fake_clock);
  std::this_thread::sleep_for(1s);
  pipeline->stop();

  const auto values = consumer.tick_values();
  const auto times = consumer.tick_times();
  CHECK(values.size() >= 5);
  // Each tick carries the fake clock's next reading: the pipeline asks the
  // clock it was given, once per tick.
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(values[i] == static_cast<std::int64_t>(i + 1) * 1000);
  for (std::size_t i = 1; i < times.size(); ++i) CHECK(times[i] - times[i - 1] < 300ms);
  CHECK(consumer.packets().empty());
  const std::string events = consumer.events();
  CHECK(events == std::string(values.size(), 't') + "d");
}

TEST_CASE("capture pipeline: stop() delivers every packet still queued for a slow consumer, in order") {
  require_root();
  constexpr std::uint32_t kDatagrams = 300;
  LoopbackUdp udp;
  RecordingConsumer consumer;
  consumer.packet_hook = [](const CapturedPacket&) {
    std::this_thread::sleep_for(2ms);  // a disk far slower than the network
    return ConsumerAction::proceed;
  };
  auto pipeline = start(open_lo("udp port " + std::to_string(udp.port())), consumer);
  for (std::uint32_t i = 0; i < kDatagrams; ++i) udp.send(i, 50);

  REQUIRE(wait_for([&] { return pipeline->stats().packets == kDatagrams; }, 3s));
  const std::uint64_t delivered_before_stop = pipeline->stats().delivered;
  CHECK(delivered_before_stop < kDatagrams);  // a backlog really is queued
  pipeline->stop();

  const auto packets = consumer.packets();
  REQUIRE(packets.size() == kDatagrams);
  for (std::uint32_t i = 0; i < kDatagrams; ++i) CHECK(udp_sequence(packets[i]) == i);
  const std::string events = consumer.events();
  CHECK(events.back() == 'd');
  CHECK(std::count(events.begin(), events.end(), 'd') == 1);
  CHECK(pipeline->stats().delivered == kDatagrams);
}

TEST_CASE("capture pipeline: a lone packet reaches the consumer without stop(), in a partly filled block") {
  require_root();
  LoopbackUdp udp;
  RecordingConsumer consumer;
  auto pipeline = start(open_lo("udp port " + std::to_string(udp.port())), consumer);
  udp.send(77);
  // The kernel retires its ring block after 100 ms, the pipeline hands the
  // partly filled block over after flush_interval (50 ms); allow for a busy machine.
  REQUIRE(wait_for([&] { return consumer.packets().size() == 1; }, 2s));
  CHECK(udp_sequence(consumer.packets()[0]) == 77);
  CHECK(consumer.events().find('d') == std::string::npos);
  pipeline->stop();
  CHECK(consumer.packets().size() == 1);
}

TEST_CASE("capture pipeline: a consumer that returns stop ends the capture by itself") {
  require_root();
  LoopbackUdp quiet;
  RecordingConsumer consumer;
  int ticks = 0;
  consumer.tick_hook = [&ticks](std::int64_t) { return ++ticks == 3 ? ConsumerAction::stop : ConsumerAction::proceed; };
  std::atomic<int> finished_calls{0};
  CapturePipelineOptions options;
  options.on_finished = [&finished_calls] { ++finished_calls; };
  auto pipeline = start(open_lo("udp port " + std::to_string(quiet.port())), consumer, wall_now_ns, options);

  REQUIRE(pipeline->wait_finished(3s));
  CHECK(pipeline->finished());
  std::this_thread::sleep_for(300ms);  // time for any stray tick
  CHECK(consumer.events() == "tttd");
  CHECK(finished_calls == 1);
  pipeline->stop();
  pipeline->stop();  // idempotent
  CHECK(consumer.events() == "tttd");
  CHECK(finished_calls == 1);
}

TEST_CASE("capture pipeline: when the consumer blocks and the pool runs out, capture drops and counts, never waits") {
  require_root();
  constexpr std::uint32_t kDatagrams = 500;
  LoopbackUdp udp;
  RecordingConsumer consumer;
  std::atomic<bool> released{false};
  consumer.packet_hook = [&released](const CapturedPacket&) {
    while (!released) std::this_thread::sleep_for(1ms);
    return ConsumerAction::proceed;
  };
  CapturePipelineOptions options;
  options.block_size = 4096;  // about 23 of these datagrams per block
  options.pool_size = 8192;   // two blocks
  auto pipeline = start(open_lo("udp port " + std::to_string(udp.port()), 256), consumer, wall_now_ns, options);
  for (std::uint32_t i = 0; i < kDatagrams; ++i) udp.send(i, 100);

  // Every datagram is accounted for while the consumer is still stuck on
  // its first packet: the capture thread went on without it.
  const bool accounted = wait_for(
      [&] {
        const CaptureStats s = pipeline->stats();
        return s.packets + s.user_dropped == kDatagrams;
      },
      3s);
  const CaptureStats stuck = pipeline->stats();
  released = true;
  REQUIRE(accounted);
  CHECK(stuck.user_dropped > 0);
  CHECK(stuck.packets >= 1);
  CHECK(stuck.packets <= 2 * (4096 / PacketBlock::record_size(PacketBlock::Format::pcapng, 14 + 20 + 8 + 104)));
  pipeline->stop();

  const auto packets = consumer.packets();
  CHECK(packets.size() == stuck.packets);
  std::int64_t previous = -1;
  for (const auto& frame : packets) {
    const std::int64_t sequence = udp_sequence(frame);
    CHECK(sequence > previous);  // gaps where packets were dropped, never reordering
    previous = sequence;
  }
  const CaptureStats final_stats = pipeline->stats();
  CHECK(final_stats.delivered == stuck.packets);
  CHECK(final_stats.user_dropped == stuck.user_dropped);
  CHECK(final_stats.kernel.at(0).dropped == 0);
}

TEST_CASE("capture pipeline: a pool or block that cannot work is refused with the sizes to use") {
  require_root();
  RecordingConsumer consumer;
  CapturePipelineOptions small_block;
  small_block.block_size = 1000;  // a 262144-byte snaplen needs a block of 262176 (an EPB)
  auto refused = CapturePipeline::start(open_lo("udp port 9"), consumer, wall_now_ns, small_block);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("snaplen 262144") != std::string::npos);
  CHECK(refused.error().message.find("262176") != std::string::npos);

  CapturePipelineOptions small_pool;
  small_pool.block_size = 4u << 20;
  small_pool.pool_size = 4u << 20;
  refused = CapturePipeline::start(open_lo("udp port 9"), consumer, wall_now_ns, small_pool);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("at least 2") != std::string::npos);
  CHECK(consumer.events().empty());
}
