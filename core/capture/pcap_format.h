// The classic pcap format (tcpdump.org, draft-ietf-opsawg-pcap): a 24-byte
// file header whose magic number gives the byte order and the timestamp
// fraction (micro- or nanoseconds), then records of a 16-byte header and the
// captured bytes. Pure parsers; the reader in pcap_reader.h does the I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes/byte_reader.h"

namespace tlsring::capture {

constexpr std::size_t kPcapFileHeaderSize = 24;

struct PcapFileHeader {
  bool big_endian = false;
  std::uint32_t fraction_to_ns = 1000;     // 1000: microsecond file, 1: nanosecond file
  std::size_t record_header_size = 16;     // 24 in Kuznetzov's "modified pcap" (magic a1b2cd34)
  std::uint16_t version_major = 2;
  std::uint16_t version_minor = 4;
  std::uint32_t snaplen = 0;
  std::uint32_t link_type = 0;             // the LINKTYPE_* value (low 16 bits of the field)
};

// The format that the first four bytes of a file announce, or nullopt when they
// are no pcap magic number. Only the magic-derived fields are set.
std::optional<PcapFileHeader> pcap_format_from_magic(Bytes first_four);

// Parses the whole 24-byte file header; nullopt when it is shorter or the magic is unknown.
std::optional<PcapFileHeader> parse_pcap_file_header(Bytes header);

struct PcapRecordHeader {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;          // micro- or nanoseconds, see PcapFileHeader::fraction_to_ns
  std::uint32_t captured_length = 0;   // bytes that follow the record header
  std::uint32_t original_length = 0;
};

// Parses a record header; `header` must hold at least format.record_header_size bytes.
PcapRecordHeader parse_pcap_record_header(Bytes header, const PcapFileHeader& format);

}  // namespace tlsring::capture
