// The threads of live capture. A capture thread polls every interface of a
// LiveCapture and encodes each packet into large blocks as the record a
// capture file holds; a writer thread hands the packets, in order, to a
// CaptureConsumer (the ring of capture files).
//
// Capture never waits for the consumer: blocks come from a fixed pool
// (options.pool_size bytes, allocated at start, reused), and when the
// consumer has fallen so far behind that every block is queued, the packets
// that do not fit are counted as user_dropped instead. The consumer is
// called only on the writer thread, so it needs no locking of its own.
#pragma once

#include "core/result.h"
#include "daemon/capture/block_exchange.h"
#include "daemon/capture/captured_packet.h"
#include "daemon/capture/live_capture.h"
#include "daemon/capture/wake_event.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tlsring::daemon {

enum class ConsumerAction { proceed, stop };

// Receives the capture on the writer thread. Returning ConsumerAction::stop
// from on_packet or on_tick ends the capture: no further on_packet or on_tick
// calls follow (packets still queued are discarded), then on_drain.
class CaptureConsumer {
 public:
  virtual ~CaptureConsumer() = default;
  // Every captured packet, in capture order, with `record` encoded in the
  // pipeline's record_format. `packet.data` and `packet.record` stay valid
  // until the next on_block_end() returns, so a consumer may keep views of a
  // run of packets (to write them with one system call) until then.
  virtual ConsumerAction on_packet(const CapturedPacket& packet) = 0;
  // After the packets of one block were delivered (also when on_packet asked
  // to stop), before the block is reused: let go of every view into it.
  virtual void on_block_end() {}
  // At least every tick_interval (also while packets flow), with the time of
  // the clock given to start(): the moment to rotate or stop on time.
  virtual ConsumerAction on_tick(std::int64_t now_ns) = 0;
  // Exactly once, last, after every packet delivered: flush and close.
  virtual void on_drain() = 0;
};

// (Never name a variable "interface": Windows headers define it as a macro.)
// An interface whose capture failed (it disappeared: a NIC hot-unplugged, a
// VLAN, team or bond interface rebuilt), or that captures again. Capture on
// the other interfaces goes on meanwhile, and the lost one is opened again by
// its name every reopen_interval until that works.
struct InterfaceEvent {
  enum class Kind {
    lost,         // capture on it failed; `message` says how
    still_lost,   // opening it again failed, for another reason than the last time; `message` says why
    back,         // it captures again
  };
  Kind kind = Kind::lost;
  std::size_t interface_index = 0;  // into interfaces()
  std::int64_t time_ns = 0;   // the pipeline's clock when it happened
  std::string message;
};

struct CapturePipelineOptions {
  std::size_t block_size = 1u << 20;  // bytes per block; must hold one packet of the largest snaplen
  std::size_t pool_size = 64u << 20;  // bytes of all blocks together (at least two blocks)
  // Free blocks beyond this many bytes give their memory back: the pool is
  // resident only as far as a backlog needs it.
  std::size_t warm_size = 8u << 20;
  // How the capture thread encodes each packet into its block: the format of
  // the files the consumer writes, so that records go to them as they are.
  capture::CaptureFormat record_format = capture::CaptureFormat::pcapng;
  std::chrono::milliseconds tick_interval{100};
  // Longest a packet waits in a partly filled block before the writer gets it.
  std::chrono::milliseconds flush_interval{50};
  int dispatch_batch = 8192;          // packets per interface per round, so no interface starves the rest
  std::chrono::milliseconds counters_interval{1000};  // how often kernel counters are refreshed
  // Called on the writer thread right after on_drain (e.g. to post to an event loop).
  std::function<void()> on_finished;
  // How often capture on a lost interface is tried again.
  std::chrono::milliseconds reopen_interval{2000};
  // Called on the capture thread for every InterfaceEvent; must not block
  // (post it to an event loop).
  std::function<void(const InterfaceEvent&)> on_interface_event;
};

struct CaptureStats {
  std::uint64_t packets = 0;       // taken from the kernel and queued for the consumer
  std::uint64_t bytes = 0;         // captured bytes of those packets
  std::uint64_t user_dropped = 0;  // lost because the consumer fell behind and every block was queued
  std::uint64_t delivered = 0;     // passed to on_packet
  std::vector<InterfaceCounters> kernel;  // per interface, as of the last refresh
  std::string error;               // why capture ended by itself (waiting for packets failed); empty otherwise
};

class CapturePipeline {
 public:
  // Starts both threads. `clock` gives the time passed to on_tick (the
  // composition root gives the system clock, tests a fake). The pipeline
  // owns `capture`; `consumer` must outlive the pipeline.
  static Result<std::unique_ptr<CapturePipeline>> start(std::unique_ptr<LiveCapture> capture,
                                                        CaptureConsumer& consumer,
                                                        std::function<std::int64_t()> clock,
                                                        const CapturePipelineOptions& options = {});

  CapturePipeline(const CapturePipeline&) = delete;
  CapturePipeline& operator=(const CapturePipeline&) = delete;
  ~CapturePipeline();  // stop()

  // Stops capture and returns once the consumer has received every packet the
  // kernel had captured when stop() was called (capture continues for the
  // LiveCapture's delivery_delay so that its last ring block is read), then
  // on_drain, and both threads have ended. Idempotent; callable from any
  // thread. Called from inside the consumer it only requests the stop.
  void stop();

  // True once on_drain has returned: the consumer asked to stop, capture
  // failed (stats().error), or stop() ran.
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // Waits up to `timeout` for finished(); returns finished().
  bool wait_finished(std::chrono::milliseconds timeout) const;

  // Safe from any thread, at any time.
  CaptureStats stats() const;
  const std::vector<InterfaceInfo>& interfaces() const { return interfaces_; }

 private:
  class CaptureSink;

  CapturePipeline(std::unique_ptr<LiveCapture> capture, CaptureConsumer& consumer,
                  std::function<std::int64_t()> clock, const CapturePipelineOptions& options,
                  std::size_t block_count, WakeEvent wake);

  void capture_loop();
  void writer_loop();
  void request_stop();
  void refresh_kernel_counters();
  void fail(std::string message);
  void report(InterfaceEvent::Kind kind, std::size_t interface_index, std::string message);

  std::unique_ptr<LiveCapture> capture_;
  CaptureConsumer& consumer_;
  std::function<std::int64_t()> clock_;
  CapturePipelineOptions options_;
  std::vector<InterfaceInfo> interfaces_;
  BlockExchange exchange_;
  WakeEvent wake_;

  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> consumer_stopped_{false};
  std::atomic<bool> finished_{false};
  std::atomic<std::uint64_t> packets_{0};
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> user_dropped_{0};
  std::atomic<std::uint64_t> delivered_{0};

  mutable std::mutex stats_mutex_;  // kernel_ and error_
  std::vector<InterfaceCounters> kernel_;
  std::string error_;

  mutable std::mutex finished_mutex_;
  mutable std::condition_variable finished_changed_;

  std::mutex stop_mutex_;  // serialises stop(); guards the joins
  std::thread capture_thread_;
  std::thread writer_thread_;
};

}  // namespace tlsring::daemon
