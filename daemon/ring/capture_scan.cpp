#include "daemon/ring/capture_scan.h"

#include <algorithm>

#include "core/bytes/byte_reader.h"
#include "core/capture/file_capture_reader.h"
#include "core/capture/pcap_format.h"
#include "core/capture/pcapng_blocks.h"

namespace tlsring::daemon {
namespace {

using Bytes = std::span<const std::uint8_t>;

// Where an Enhanced (and an obsolete) Packet Block holds its captured length:
// after the block type and length, the interface and the two time halves.
constexpr std::size_t kPacketBlockCapturedLengthAt = 20;

std::uint32_t load_u32(Bytes at, bool big_endian) {
  ByteReader r(at);
  return (big_endian ? r.u32be() : r.u32le()).value_or(0);
}

std::string at_byte(std::uint64_t offset) { return " at byte " + std::to_string(offset); }

void scan_pcap(Bytes bytes, CaptureScan& scan) {
  scan.format = CaptureScan::Format::pcap;
  const auto header = capture::parse_pcap_file_header(bytes.first(std::min(bytes.size(), capture::kPcapFileHeaderSize)));
  if (!header || bytes.size() < capture::kPcapFileHeaderSize) {
    scan.stop_reason = "pcap file header cut short (" + std::to_string(bytes.size()) + " of 24 bytes)";
    return;
  }
  scan.has_header = true;
  std::size_t offset = capture::kPcapFileHeaderSize;
  scan.whole_end = offset;
  const std::size_t record_header = header->record_header_size;
  while (offset < bytes.size()) {
    const Bytes rest = bytes.subspan(offset);
    if (rest.size() < record_header) {
      scan.stop_reason = "record header cut short" + at_byte(offset);
      return;
    }
    const auto record = capture::parse_pcap_record_header(rest, *header);
    if (record.seconds == 0 && record.fraction == 0 && record.captured_length == 0 &&
        record.original_length == 0) {
      scan.stop_reason = "zero-filled record header" + at_byte(offset);
      return;
    }
    if (record.captured_length > capture::kMaxPacketLength) {
      scan.stop_reason = "record of " + std::to_string(record.captured_length) +
                         " bytes (corrupt length)" + at_byte(offset);
      return;
    }
    const std::size_t size = record_header + record.captured_length;
    if (rest.size() < size) {
      scan.stop_reason = "packet record cut short" + at_byte(offset);
      return;
    }
    offset += size;
    scan.whole_end = offset;
    ++scan.packets;
    scan.captured_bytes += record.captured_length;
  }
}

void scan_pcapng(Bytes bytes, CaptureScan& scan) {
  scan.format = CaptureScan::Format::pcapng;
  bool big_endian = false;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const Bytes rest = bytes.subspan(offset);
    if (rest.size() < 8) {
      scan.stop_reason = "block header cut short" + at_byte(offset);
      return;
    }
    const std::uint32_t type = load_u32(rest, false);  // the SHB type reads the same both ways
    const bool is_shb = type == capture::kBlockSectionHeader;
    if (is_shb) {
      if (rest.size() < 12) {
        scan.stop_reason = "section header cut short" + at_byte(offset);
        return;
      }
      const auto order = capture::pcapng_section_is_big_endian(rest.first(12));
      if (!order) {
        scan.stop_reason = "section header without byte-order magic" + at_byte(offset);
        return;
      }
      big_endian = *order;
    } else if (!scan.has_header) {
      scan.stop_reason = "no section header block at the start";
      return;
    }
    const std::uint32_t length = load_u32(rest.subspan(4), big_endian);
    if (length < capture::kPcapngMinBlockLength || length % 4 != 0 ||
        length > capture::kMaxBlockLength || (is_shb && length < 28)) {
      scan.stop_reason = "block of length " + std::to_string(length) + " (corrupt)" + at_byte(offset);
      return;
    }
    if (rest.size() < length) {
      scan.stop_reason = "block cut short" + at_byte(offset);
      return;
    }
    if (load_u32(rest.subspan(length - 4), big_endian) != length) {
      scan.stop_reason = "block's trailing length disagrees" + at_byte(offset);
      return;
    }
    offset += length;
    scan.whole_end = offset;
    scan.has_header = true;
    if (type == capture::kBlockEnhancedPacket || type == capture::kBlockObsoletePacket) {
      ++scan.packets;
      if (length >= kPacketBlockCapturedLengthAt + 8) {
        scan.captured_bytes += load_u32(rest.subspan(kPacketBlockCapturedLengthAt), big_endian);
      }
    } else if (type == capture::kBlockSimplePacket) {
      // The original length, then the packet (cut to the block, padded to 4 bytes).
      ++scan.packets;
      if (length >= 16) {
        scan.captured_bytes += std::min<std::uint64_t>(load_u32(rest.subspan(8), big_endian), length - 16);
      }
    }
  }
}

}  // namespace

CaptureScan scan_whole_records(std::span<const std::uint8_t> bytes) {
  CaptureScan scan;
  if (bytes.size() < 4) {
    scan.stop_reason = "file of " + std::to_string(bytes.size()) + " bytes holds no header";
    return scan;
  }
  if (capture::pcap_format_from_magic(bytes.first(4))) {
    scan_pcap(bytes, scan);
  } else if (load_u32(bytes, false) == capture::kBlockSectionHeader) {
    scan_pcapng(bytes, scan);
  } else {
    scan.stop_reason = "not a pcap or pcapng file";
  }
  return scan;
}

}  // namespace tlsring::daemon
