// Where the whole records of a capture file end: a pure scan over its bytes,
// for salvaging a file whose writer died (part_recovery.h).
//
// Contract:
//  - scan_whole_records(bytes) walks a pcap file (either byte order, micro- or
//    nanosecond, 16- or 24-byte record headers) or a pcapng file (any sections,
//    either byte order) record by record from the start and stops at the first
//    record that is cut short or malformed. It never reads outside `bytes`.
//  - has_header: the pcap file header (24 bytes) or the first pcapng Section
//    Header Block is whole and valid. Without it, whole_end and packets are 0.
//  - whole_end: the offset just past the last whole record (the file header /
//    SHB counts as one), i.e. the length to truncate the file to. packets:
//    packet records (pcap records; pcapng Enhanced, Simple and obsolete Packet
//    Blocks) before whole_end. Other pcapng blocks (IDB, ISB, DSB, ...) are
//    kept when whole, but are not packets. captured_bytes: the packet bytes
//    those records hold (their captured lengths).
//  - A record is malformed when its length is above the reader's limits
//    (kMaxPacketLength / kMaxBlockLength), a pcapng length is below 12 or not a
//    multiple of 4, the trailing length disagrees, a later SHB has no valid
//    byte-order magic, or a pcap record header is all zeros (the zero-filled
//    tail a filesystem can leave after a crash). stop_reason then says what
//    and where; it is empty when the scan ended exactly at the end of `bytes`.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tlsring::daemon {

struct CaptureScan {
  enum class Format { unknown, pcap, pcapng };
  Format format = Format::unknown;
  bool has_header = false;
  std::uint64_t whole_end = 0;
  std::uint64_t packets = 0;
  std::uint64_t captured_bytes = 0;
  std::string stop_reason;  // empty: the bytes end on a record boundary
};

CaptureScan scan_whole_records(std::span<const std::uint8_t> bytes);

}  // namespace tlsring::daemon
