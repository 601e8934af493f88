#include "core/capture/pcap_format.h"

#include "core/capture/endian_reader.h"

namespace tlsring::capture {
namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kMagicModified = 0xa1b2cd34;  // Alexey Kuznetzov's patched libpcap

std::optional<PcapFileHeader> format_for_magic(std::uint32_t magic, bool big_endian) {
  PcapFileHeader format;
  format.big_endian = big_endian;
  switch (magic) {
    case kMagicMicro: return format;
    case kMagicNano: format.fraction_to_ns = 1; return format;
    case kMagicModified: format.record_header_size = 24; return format;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<PcapFileHeader> pcap_format_from_magic(Bytes first_four) {
  ByteReader reader(first_four);
  auto magic_be = reader.u32be();
  if (!magic_be) return std::nullopt;
  // A writer stores the magic in its own byte order: reading it as big-endian
  // gives the magic itself when the writer was big-endian.
  if (auto format = format_for_magic(*magic_be, true)) return format;
  ByteReader again(first_four);
  return format_for_magic(*again.u32le(), false);
}

std::optional<PcapFileHeader> parse_pcap_file_header(Bytes header) {
  if (header.size() < kPcapFileHeaderSize) return std::nullopt;
  auto format = pcap_format_from_magic(header.first(4));
  if (!format) return std::nullopt;
  EndianReader reader(header.subspan(4, kPcapFileHeaderSize - 4), format->big_endian);
  format->version_major = *reader.u16();
  format->version_minor = *reader.u16();
  reader.skip(8);  // thiszone and sigfigs: always 0 in practice, and unused
  format->snaplen = *reader.u32();
  // The top bits of the link-type field carry FCS information, not the type.
  format->link_type = *reader.u32() & 0xffff;
  return format;
}

PcapRecordHeader parse_pcap_record_header(Bytes header, const PcapFileHeader& format) {
  EndianReader reader(header, format.big_endian);
  PcapRecordHeader record;
  record.seconds = reader.u32().value_or(0);
  record.fraction = reader.u32().value_or(0);
  record.captured_length = reader.u32().value_or(0);
  record.original_length = reader.u32().value_or(0);
  return record;
}

}  // namespace tlsring::capture
