// Live capture on one or more interfaces through libpcap (Npcap on Windows,
// loaded by platform::load_capture_library before the first pcap call).
//
// LiveCapture::create opens every interface (pcap_create, options,
// pcap_activate), installs the BPF filter on each and switches the handles
// to non-blocking mode. On Linux libpcap then reads a TPACKET_V3 ring shared
// with the kernel: dispatch() walks the packets the kernel has handed over
// without a system call per packet, and the kernel hands a ring block over
// when it is full or `timeout_ms` after its first packet.
//
// Not thread-safe: one thread creates, dispatches, polls and reads counters
// (CapturePipeline's capture thread); interfaces() and warnings() never
// change after create() and may be read from anywhere.
#pragma once

#include "core/result.h"
#include "daemon/capture/captured_packet.h"
#include "daemon/capture/pcap_handle.h"
#include "daemon/platform/capture_wait.h"

#include <pcap/pcap.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tlsring::daemon {

struct LiveCaptureOptions {
  std::vector<std::string> interfaces;  // names as `ip link` lists them, or "any"
  std::string filter;                   // BPF (man 7 pcap-filter); empty = every packet
  std::uint32_t snaplen = 262144;       // bytes kept per packet
  std::uint64_t buffer_size = 16ull << 20;  // kernel ring per interface; 0 = libpcap's default
  bool promiscuous = false;
  int timeout_ms = 100;                 // longest a packet waits in a partly filled ring block
  bool immediate = false;               // deliver each packet at once (TPACKET_V2, costlier)
};

class LiveCapture {
 public:
  // Opens and activates every interface of `options` with its filter. Errors
  // name the option and the interface and say what to do; warnings libpcap
  // gave while activating are kept in warnings().
  static Result<std::unique_ptr<LiveCapture>> create(const LiveCaptureOptions& options);

  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;
  ~LiveCapture();

  // One entry per interface, in the order of options.interfaces; a packet's
  // interface_id indexes this list. Snaplen is what libpcap granted.
  const std::vector<InterfaceInfo>& interfaces() const { return interfaces_; }
  std::size_t size() const { return sources_.size(); }

  // Human-readable warnings from activation ("eth0: promiscuous mode not supported").
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The longest a received packet can stay invisible to dispatch(): the ring
  // block timeout (options.timeout_ms), or zero in immediate mode. Draining
  // for this long after the last packet of interest arrived reads it.
  std::chrono::milliseconds delivery_delay() const { return delivery_delay_; }

  // Bytes of the kernel ring of each interface (options.buffer_size as
  // libpcap takes it; with 0, the smallest default of libpcap and Npcap).
  std::uint64_t ring_bytes() const { return ring_bytes_; }

  // What becomes ready when interface `index` has packets (or an error) for
  // dispatch(), for waiting on all interfaces in one thread with
  // platform::CaptureWait: a descriptor on Linux, an event on Windows.
  platform::Waitable waitable(std::size_t index) const { return sources_[index].waitable; }
  // waitable(index) under the name the Linux capture loop poll()s it by.
  platform::Waitable selectable_fd(std::size_t index) const { return waitable(index); }
  // A wait over every interface and `wake`, in the order of interfaces().
  platform::CaptureWait wait_set(platform::Waitable wake) const;

  // Without waiting, reads up to `max_packets` (<= 0: all that are ready)
  // packets of interface `index` and calls `on_packet(const CapturedPacket&)`
  // for each, in arrival order. The packet's bytes are valid only during the
  // call. `on_packet` must not throw (it runs inside libpcap's C loop).
  // Returns how many packets were read, or an error (interface went down).
  template <class OnPacket>
  Result<std::size_t> dispatch(std::size_t index, int max_packets, OnPacket& on_packet);

  // Kernel counters per interface since create(), widened to 64 bits (the
  // kernel's are 32-bit and wrap), so call at least every few minutes under
  // heavy load. An interface whose statistics cannot be read (or that is
  // closed) keeps its last values; a reopened one adds on to them.
  std::vector<InterfaceCounters> counters();

  // An interface whose dispatch() failed (it disappeared) is closed: it is
  // then not waited on (its waitable is kNoWaitable) and must not be
  // dispatched until reopen_interface() succeeded.
  void close_interface(std::size_t index);
  bool is_open(std::size_t index) const { return sources_[index].handle != nullptr; }
  // Opens a closed interface again by its name, with create()'s options. An
  // error (it is still gone: the message says why, as create() would) leaves
  // it closed; so does an interface that came back with another link type or
  // snap length than its capture files describe. Take a new wait_set() after.
  Status reopen_interface(std::size_t index);

 private:
  struct Source {
    PcapHandle handle;
    std::int64_t ns_per_fraction = 1000;  // tv_usec unit: 1 (nanosecond precision) or 1000
    platform::Waitable waitable = platform::kNoWaitable;  // owned by the handle
    pcap_stat last{};                     // last raw 32-bit counters
    InterfaceCounters total;              // widened
  };

  struct Opened {
    Source source;
    InterfaceInfo info;
    std::string warning;  // from activation, if any
  };

  LiveCapture() = default;
  static Result<Opened> open_source(const std::string& name, const LiveCaptureOptions& options);
  static void counters_of(Source& source);
  Result<std::size_t> dispatch_failed(std::size_t index, int status) const;

  LiveCaptureOptions options_;  // to reopen with
  std::vector<Source> sources_;
  std::vector<InterfaceInfo> interfaces_;
  std::vector<std::string> warnings_;
  std::chrono::milliseconds delivery_delay_{0};
  std::uint64_t ring_bytes_ = 0;
};

template <class OnPacket>
Result<std::size_t> LiveCapture::dispatch(std::size_t index, int max_packets, OnPacket& on_packet) {
  struct Context {
    OnPacket* on_packet;
    std::int64_t ns_per_fraction;
    std::uint32_t interface_id;
  };
  Source& source = sources_[index];
  Context context{&on_packet, source.ns_per_fraction, static_cast<std::uint32_t>(index)};
  // A captureless lambda is a plain function pointer: no std::function and
  // no allocation between libpcap and `on_packet`.
  const pcap_handler handler = [](u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    const auto* ctx = reinterpret_cast<const Context*>(user);
    CapturedPacket packet;
    packet.timestamp_ns = static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                          static_cast<std::int64_t>(header->ts.tv_usec) * ctx->ns_per_fraction;
    packet.interface_id = ctx->interface_id;
    packet.original_length = header->len;
    packet.data = std::span<const std::uint8_t>(bytes, header->caplen);
    (*ctx->on_packet)(packet);
  };
  const int count = pcap_dispatch(source.handle.get(), max_packets <= 0 ? -1 : max_packets, handler,
                                  reinterpret_cast<u_char*>(&context));
  if (count < 0) return dispatch_failed(index, count);
  return static_cast<std::size_t>(count);
}

}  // namespace tlsring::daemon
