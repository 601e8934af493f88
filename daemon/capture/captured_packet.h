// The packet and interface vocabulary shared by live capture (daemon/capture)
// and the ring of capture files (daemon/ring).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tlsring::daemon {

// One interface a live capture reads, as a capture file declares it.
struct InterfaceInfo {
  std::string name;            // "eth0", "lo", "any"
  std::uint32_t link_type = 0; // LINKTYPE_* value as written into pcap/pcapng files
  std::uint32_t snaplen = 0;
};

// One captured packet. `data` is valid only during the call that receives it.
struct CapturedPacket {
  std::int64_t timestamp_ns = 0;   // UTC, nanoseconds since the Unix epoch
  std::uint32_t interface_id = 0;  // index into the capture's interfaces
  std::uint32_t original_length = 0;
  std::span<const std::uint8_t> data;
};

// Kernel counters of one interface since the capture started (pcap_stats).
struct InterfaceCounters {
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;     // dropped for lack of buffer space
  std::uint64_t if_dropped = 0;  // dropped by the interface or driver
};

}  // namespace tlsring::daemon
