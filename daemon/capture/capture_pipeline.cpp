#include "daemon/capture/capture_pipeline.h"

#include <algorithm>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "daemon/capture/capture_pacing.h"
#include "daemon/platform/process.h"

namespace tlsring::daemon {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long the capture thread waits when nothing arrives: it
// bounds how late stop() is noticed without the wake event and how late
// kernel counters are refreshed.
constexpr int kIdlePollMs = 100;

// The pipeline whose writer loop runs on this thread, so that stop() called
// by the consumer does not join the thread it runs on.
thread_local const CapturePipeline* writer_of_this_thread = nullptr;

int milliseconds_until(SteadyClock::time_point deadline, SteadyClock::time_point now) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 1, kIdlePollMs));
}

}  // namespace

// The per-packet path of the capture thread: copy into the current block,
// and only when it is full touch the exchange (a mutex, once per block).
// Counters are plain integers here and published once per wait round, so
// the per-packet cost has no atomic operation in it.
class CapturePipeline::CaptureSink {
 public:
  explicit CaptureSink(BlockExchange& exchange) : exchange_(exchange) {}

  void operator()(const CapturedPacket& packet) {
    if (current_ != nullptr && current_->append(packet)) [[likely]] {
      ++packets_;
      bytes_ += packet.data.size();
      return;
    }
    next_block(packet);
  }

  // True while a block holds packets not yet handed to the writer.
  bool has_partial() const { return current_ != nullptr && !current_->empty(); }
  // Changes whenever the sink starts filling another block.
  std::uint64_t block_serial() const { return block_serial_; }

  void flush() {
    if (current_ != nullptr && !current_->empty()) {
      exchange_.publish(current_);
      current_ = nullptr;
    }
  }

  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  [[gnu::noinline]] void next_block(const CapturedPacket& packet) {
    flush();
    if (current_ == nullptr) {
      current_ = exchange_.acquire();
      ++block_serial_;
    }
    // start() checked that an empty block holds the largest packet, so a
    // failure here means the pool is exhausted: the writer is behind.
    if (current_ != nullptr && current_->append(packet)) {
      ++packets_;
      bytes_ += packet.data.size();
      return;
    }
    ++dropped_;
  }

  BlockExchange& exchange_;
  PacketBlock* current_ = nullptr;
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t block_serial_ = 0;
};

Result<std::unique_ptr<CapturePipeline>> CapturePipeline::start(std::unique_ptr<LiveCapture> capture,
                                                                CaptureConsumer& consumer,
                                                                std::function<std::int64_t()> clock,
                                                                const CapturePipelineOptions& options) {
  if (!capture) return make_error("capture pipeline: no live capture given");
  if (!clock) return make_error("capture pipeline: no clock given");
  if (options.tick_interval.count() <= 0) return make_error("capture pipeline: tick_interval must be positive");
  if (options.dispatch_batch <= 0) return make_error("capture pipeline: dispatch_batch must be positive");
  if (options.flush_interval.count() < 0) return make_error("capture pipeline: flush_interval must not be negative");

  std::uint32_t largest_snaplen = 0;
  for (const InterfaceInfo& info : capture->interfaces()) largest_snaplen = std::max(largest_snaplen, info.snaplen);
  const std::size_t largest_record = PacketBlock::record_size(options.record_format, largest_snaplen);
  if (options.block_size < largest_record) {
    return make_error("capture pipeline: a block of " + std::to_string(options.block_size) +
                      " bytes cannot hold one packet of snaplen " + std::to_string(largest_snaplen) +
                      "; use blocks of at least " + std::to_string(largest_record) + " bytes");
  }
  const std::size_t block_count = options.pool_size / options.block_size;
  if (block_count < 2) {
    return make_error("capture pipeline: a pool of " + std::to_string(options.pool_size) + " bytes holds " +
                      std::to_string(block_count) + " block(s) of " + std::to_string(options.block_size) +
                      " bytes; it needs at least 2 (one filling, one being written)");
  }
  Result<WakeEvent> wake = WakeEvent::create();
  if (!wake) return wake.error();

  std::unique_ptr<CapturePipeline> pipeline(new CapturePipeline(std::move(capture), consumer, std::move(clock),
                                                                options, block_count, std::move(wake.value())));
  // The capture thread starts first: if the writer cannot start, the
  // destructor stops capture and the consumer has never been called.
  try {
    pipeline->capture_thread_ = std::thread([p = pipeline.get()] { p->capture_loop(); });
  } catch (const std::system_error& e) {
    return make_error(std::string("capture pipeline: cannot start the capture thread: ") + e.what());
  }
  try {
    pipeline->writer_thread_ = std::thread([p = pipeline.get()] { p->writer_loop(); });
  } catch (const std::system_error& e) {
    return make_error(std::string("capture pipeline: cannot start the writer thread: ") + e.what());
  }
  return pipeline;
}

CapturePipeline::CapturePipeline(std::unique_ptr<LiveCapture> capture, CaptureConsumer& consumer,
                                 std::function<std::int64_t()> clock, const CapturePipelineOptions& options,
                                 std::size_t block_count, WakeEvent wake)
    : capture_(std::move(capture)),
      consumer_(consumer),
      clock_(std::move(clock)),
      options_(options),
      interfaces_(capture_->interfaces()),
      exchange_(block_count, options.block_size, options.record_format, options.warm_size / options.block_size),
      wake_(std::move(wake)),
      kernel_(interfaces_.size()) {}

CapturePipeline::~CapturePipeline() { stop(); }

void CapturePipeline::request_stop() {
  stop_requested_.store(true, std::memory_order_release);
  wake_.signal();
}

void CapturePipeline::stop() {
  if (writer_of_this_thread == this) {
    request_stop();
    return;
  }
  std::lock_guard lock(stop_mutex_);
  request_stop();
  if (capture_thread_.joinable()) capture_thread_.join();
  if (writer_thread_.joinable()) writer_thread_.join();
}

bool CapturePipeline::wait_finished(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(finished_mutex_);
  return finished_changed_.wait_for(lock, timeout, [this] { return finished(); });
}

CaptureStats CapturePipeline::stats() const {
  CaptureStats stats;
  stats.packets = packets_.load(std::memory_order_relaxed);
  stats.bytes = bytes_.load(std::memory_order_relaxed);
  stats.user_dropped = user_dropped_.load(std::memory_order_relaxed);
  stats.delivered = delivered_.load(std::memory_order_relaxed);
  std::lock_guard lock(stats_mutex_);
  stats.kernel = kernel_;
  stats.error = error_;
  return stats;
}

void CapturePipeline::refresh_kernel_counters() {
  std::vector<InterfaceCounters> counters = capture_->counters();
  std::lock_guard lock(stats_mutex_);
  kernel_ = std::move(counters);
}

void CapturePipeline::fail(std::string message) {
  std::lock_guard lock(stats_mutex_);
  if (error_.empty()) error_ = std::move(message);
}

void CapturePipeline::report(InterfaceEvent::Kind kind, std::size_t interface_index, std::string message) {
  if (!options_.on_interface_event) return;
  InterfaceEvent event;
  event.kind = kind;
  event.interface_index = interface_index;
  event.time_ns = clock_();
  event.message = std::move(message);
  options_.on_interface_event(event);
}

void CapturePipeline::capture_loop() {
  platform::name_current_thread("tlsring-capture");
  const std::size_t interface_count = capture_->size();
  // poll() on Linux, WaitForMultipleObjects on Windows (daemon/platform/capture_wait.h).
  platform::CaptureWait waiter = capture_->wait_set(wake_.waitable());

  CaptureSink sink(exchange_);
  const auto publish_counts = [&] {
    packets_.store(sink.packets(), std::memory_order_relaxed);
    bytes_.store(sink.bytes(), std::memory_order_relaxed);
    user_dropped_.store(sink.dropped(), std::memory_order_relaxed);
  };
  auto next_counters = SteadyClock::now() + options_.counters_interval;
  // Once stop is requested, capture goes on until this moment: the kernel
  // hands a partly filled ring block over only after the block timeout, and
  // the packets in it arrived before stop().
  std::optional<SteadyClock::time_point> drain_until;
  // When the block being filled got its first packets (approximately: the
  // end of the round that first found it non-empty).
  bool partial = false;
  SteadyClock::time_point partial_since;
  std::uint64_t partial_serial = 0;
  // Interfaces whose capture failed, to open again from time to time.
  struct Lost {
    std::size_t index;
    std::string last_error;  // of the last attempt to open it again
  };
  std::vector<Lost> lost;
  auto next_reopen = SteadyClock::now();

  for (;;) {
    SteadyClock::time_point now = SteadyClock::now();
    if (!drain_until && stop_requested_.load(std::memory_order_acquire)) {
      // The consumer that asked to stop wants nothing more.
      const bool consumer_done = consumer_stopped_.load(std::memory_order_acquire);
      drain_until = now + (consumer_done ? std::chrono::milliseconds(0) : 2 * capture_->delivery_delay());
    }
    if (drain_until && now >= *drain_until) break;
    int timeout = kIdlePollMs;
    if (drain_until) timeout = milliseconds_until(*drain_until, now);
    if (partial) timeout = std::min(timeout, milliseconds_until(partial_since + options_.flush_interval, now));

    if (Status waited = waiter.wait(std::chrono::milliseconds(timeout)); !waited.ok()) {
      fail(waited.error().message);
      break;
    }
    if (waiter.woken()) wake_.clear();
    const std::uint64_t bytes_before_round = sink.bytes();
    bool sources_changed = false;
    for (std::size_t i = 0; i < interface_count; ++i) {
      // While draining, read every interface each round: a block the kernel
      // retires during the wait is read on the next pass.
      if (!capture_->is_open(i) || (!waiter.source_ready(i) && !drain_until)) continue;
      Result<std::size_t> read = capture_->dispatch(i, options_.dispatch_batch, sink);
      if (!read) {
        capture_->close_interface(i);
        lost.push_back({i, {}});
        next_reopen = SteadyClock::now() + options_.reopen_interval;
        sources_changed = true;
        report(InterfaceEvent::Kind::lost, i, read.error().message);
      }
    }
    publish_counts();
    now = SteadyClock::now();
    if (!lost.empty() && !drain_until && now >= next_reopen) {
      std::erase_if(lost, [&](Lost& gone) {
        Status reopened = capture_->reopen_interface(gone.index);
        if (reopened) {
          sources_changed = true;
          report(InterfaceEvent::Kind::back, gone.index, {});
          return true;
        }
        if (reopened.error().message != gone.last_error) {
          gone.last_error = reopened.error().message;
          report(InterfaceEvent::Kind::still_lost, gone.index, gone.last_error);
        }
        return false;
      });
      next_reopen = now + options_.reopen_interval;
    }
    if (sources_changed) waiter = capture_->wait_set(wake_.waitable());
    // A partly filled block goes to the writer once its first packets are
    // flush_interval old: full blocks carry the load, and handing over every
    // round's packets would wake the writer thousands of times a second.
    if (!sink.has_partial()) {
      partial = false;
    } else if (!partial || partial_serial != sink.block_serial()) {
      partial = true;
      partial_since = now;
      partial_serial = sink.block_serial();
    }
    if (partial && now - partial_since >= options_.flush_interval) {
      sink.flush();
      partial = false;
    }
    if (now >= next_counters) {
      refresh_kernel_counters();
      next_counters = now + options_.counters_interval;
    }
    // Under load, let several ring blocks fill before the next wake-up
    // (daemon/capture/capture_pacing.h). Not while draining: stop is near.
    if (!drain_until) {
      const auto nap = nap_after_round(sink.bytes() - bytes_before_round, capture_->ring_bytes());
      if (nap.count() > 0) std::this_thread::sleep_for(nap);
    }
  }
  sink.flush();
  publish_counts();
  refresh_kernel_counters();
  exchange_.close();
}

void CapturePipeline::writer_loop() {
  platform::name_current_thread("tlsring-writer");
  writer_of_this_thread = this;
  bool stopped = false;
  const auto deliver = [&](const CapturedPacket& packet) {
    if (consumer_.on_packet(packet) == ConsumerAction::stop) {
      stopped = true;
      return false;
    }
    return true;
  };
  auto next_tick = SteadyClock::now() + options_.tick_interval;

  for (;;) {
    // After the consumer stopped, only the capture thread's close() matters;
    // it notifies, so the long deadline costs no latency.
    const auto deadline = stopped ? SteadyClock::now() + std::chrono::seconds(1) : next_tick;
    const BlockExchange::Taken taken = exchange_.take_until(deadline);
    if (taken.block != nullptr) {
      if (!stopped) {
        delivered_.fetch_add(taken.block->for_each(deliver), std::memory_order_relaxed);
        consumer_.on_block_end();
      }
      exchange_.release(taken.block);
    } else if (taken.closed) {
      break;
    }
    if (!stopped) {
      // Checked after every block too, so ticks keep coming under load.
      const auto now = SteadyClock::now();
      if (now >= next_tick) {
        if (consumer_.on_tick(clock_()) == ConsumerAction::stop) stopped = true;
        next_tick += options_.tick_interval;
        if (next_tick <= now) next_tick = now + options_.tick_interval;  // no burst of catch-up ticks
      }
    }
    if (stopped && !consumer_stopped_.load(std::memory_order_relaxed)) {
      consumer_stopped_.store(true, std::memory_order_release);
      request_stop();
    }
  }

  consumer_.on_drain();
  {
    std::lock_guard lock(finished_mutex_);
    finished_.store(true, std::memory_order_release);
  }
  finished_changed_.notify_all();
  if (options_.on_finished) options_.on_finished();
  writer_of_this_thread = nullptr;
}

}  // namespace tlsring::daemon
