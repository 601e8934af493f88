// The packet and interface vocabulary shared by live capture (daemon/capture)
// and the ring of capture files (daemon/ring).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/capture/capture_writer.h"

namespace tlsring::daemon {

// One interface a live capture reads, as a capture file declares it.
struct InterfaceInfo {
  std::string name;            // "eth0", "lo", "any"
  std::uint32_t link_type = 0; // LINKTYPE_* value as written into pcap/pcapng files
  std::uint32_t snaplen = 0;
};

// One captured packet. `data` (and `record`) are views whose lifetime the
// interface that hands the packet over states.
struct CapturedPacket {
  CapturedPacket() = default;
  CapturedPacket(std::int64_t timestamp, std::uint32_t interface, std::uint32_t original,
                 std::span<const std::uint8_t> bytes)
      : timestamp_ns(timestamp), interface_id(interface), original_length(original), data(bytes) {}

  std::int64_t timestamp_ns = 0;   // UTC, nanoseconds since the Unix epoch
  std::uint32_t interface_id = 0;  // index into the capture's interfaces
  std::uint32_t original_length = 0;
  std::span<const std::uint8_t> data;
  // The packet already encoded as a record of a `record_format` capture file
  // (data lies inside it), when the capture pipeline encoded it; else empty.
  std::span<const std::uint8_t> record;
  capture::CaptureFormat record_format = capture::CaptureFormat::pcapng;
};

// Kernel counters of one interface since the capture started (pcap_stats).
struct InterfaceCounters {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;     // dropped for lack of buffer space
  std::uint64_t if_dropped = 0;  // dropped by the interface or driver
};

}  // namespace tlsring::daemon
