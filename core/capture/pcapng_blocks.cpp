#include "core/capture/pcapng_blocks.h"

#include <algorithm>

#include "core/capture/endian_reader.h"

namespace tlsring::capture {
namespace {

constexpr std::uint16_t kOptEndOfOptions = 0;
constexpr std::uint16_t kOptIfTsresol = 9;
constexpr std::uint16_t kOptIfTsoffset = 14;
constexpr std::uint16_t kEpbDropCount = 4;
constexpr std::uint16_t kIsbStartTime = 2;
constexpr std::uint16_t kIsbIfRecv = 4;
constexpr std::uint16_t kIsbIfDrop = 5;
constexpr std::uint16_t kIsbOsDrop = 7;

constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// Reads `length` captured bytes followed by padding to a 4-byte boundary. The
// padding of the last field may be missing in sloppy writers; accept that.
std::optional<Bytes> padded_data(EndianReader& reader, std::uint32_t length) {
  auto data = reader.bytes(length);
  if (!data) return std::nullopt;
  reader.skip(std::min(pad4(length) - length, reader.remaining()));
  return data;
}

// Walks an option list and hands each (code, value) to `visit`.
template <class Visit>
void for_each_option(EndianReader& reader, Visit visit) {
  while (reader.remaining() >= 4) {
    const std::uint16_t code = *reader.u16();
    const std::uint16_t length = *reader.u16();
    if (code == kOptEndOfOptions) return;
    auto value = reader.bytes(length);
    if (!value) return;
    visit(code, *value);
    if (!reader.skip(std::min(pad4(length) - length, reader.remaining()))) return;
  }
}

}  // namespace

Result<Bytes> pcapng_block_body(Bytes block, bool big_endian) {
  EndianReader reader(block, big_endian);
  reader.skip(4);  // type
  auto length = reader.u32();
  if (!length || *length != block.size()) return make_error("block length does not match");
  if (*length < kPcapngMinBlockLength) return make_error("block length " + std::to_string(*length) + " is below 12");
  if (*length % 4 != 0) return make_error("block length " + std::to_string(*length) + " is not a multiple of 4");
  EndianReader trailer(block.subspan(block.size() - 4), big_endian);
  const std::uint32_t trailing = *trailer.u32();
  if (trailing != *length) {
    return make_error("block length " + std::to_string(*length) + " differs from its trailing copy " +
                      std::to_string(trailing));
  }
  return block.subspan(8, block.size() - kPcapngMinBlockLength);
}

std::optional<bool> pcapng_section_is_big_endian(Bytes first_twelve) {
  ByteReader reader(first_twelve);
  if (!reader.skip(8)) return std::nullopt;
  const auto magic = reader.u32be();
  if (!magic) return std::nullopt;
  if (*magic == kPcapngByteOrderMagic) return true;
  if (*magic == 0x4d3c2b1a) return false;
  return std::nullopt;
}

Status parse_section_header(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  if (!reader.skip(4)) return make_error("section header block too short");  // byte-order magic
  auto major = reader.u16();
  auto minor = reader.u16();
  if (!major || !minor || !reader.skip(8)) return make_error("section header block too short");
  if (*major != 1) {
    return make_error("unsupported pcapng version " + std::to_string(*major) + "." + std::to_string(*minor));
  }
  return {};
}

Result<PcapngInterface> parse_interface_description(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  auto link_type = reader.u16();
  auto reserved = reader.u16();
  auto snaplen = reader.u32();
  if (!link_type || !reserved || !snaplen) return make_error("interface description block too short");
  PcapngInterface interface;
  interface.link_type = *link_type;
  interface.snaplen = *snaplen;
  for_each_option(reader, [&](std::uint16_t code, Bytes value) {
    if (code == kOptIfTsresol && value.size() == 1) {
      interface.unit = TimestampUnit::from_tsresol(value[0]);
    } else if (code == kOptIfTsoffset && value.size() == 8) {
      EndianReader offset(value, big_endian);
      interface.offset_seconds = static_cast<std::int64_t>(*offset.u64());
    }
  });
  return interface;
}

Result<PcapngPacket> parse_enhanced_packet(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  auto interface_id = reader.u32();
  auto high = reader.u32();
  auto low = reader.u32();
  auto captured = reader.u32();
  auto original = reader.u32();
  if (!interface_id || !high || !low || !captured || !original) {
    return make_error("enhanced packet block too short");
  }
  auto data = padded_data(reader, *captured);
  if (!data) {
    return make_error("enhanced packet block declares " + std::to_string(*captured) +
                      " captured bytes but holds " + std::to_string(reader.remaining()));
  }
  PcapngPacket packet;
  packet.interface_id = *interface_id;
  packet.timestamp_ticks = (std::uint64_t{*high} << 32) | *low;
  packet.original_length = *original;
  packet.data = *data;
  for_each_option(reader, [&](std::uint16_t code, Bytes value) {
    if (code == kEpbDropCount && value.size() == 8) packet.dropped_before = *EndianReader(value, big_endian).u64();
  });
  return packet;
}

Result<PcapngPacket> parse_obsolete_packet(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  auto interface_id = reader.u16();
  auto drops = reader.u16();
  auto high = reader.u32();
  auto low = reader.u32();
  auto captured = reader.u32();
  auto original = reader.u32();
  if (!interface_id || !drops || !high || !low || !captured || !original) {
    return make_error("packet block too short");
  }
  auto data = padded_data(reader, *captured);
  if (!data) {
    return make_error("packet block declares " + std::to_string(*captured) + " captured bytes but holds " +
                      std::to_string(reader.remaining()));
  }
  PcapngPacket packet;
  packet.interface_id = *interface_id;
  packet.timestamp_ticks = (std::uint64_t{*high} << 32) | *low;
  packet.original_length = *original;
  packet.data = *data;
  // Packets lost between the previous packet and this one; 0xffff: not known.
  if (*drops != 0xffff) packet.dropped_before = *drops;
  return packet;
}

Result<PcapngPacket> parse_simple_packet(Bytes body, bool big_endian, std::uint32_t snaplen) {
  EndianReader reader(body, big_endian);
  auto original = reader.u32();
  if (!original) return make_error("simple packet block too short");
  // The block has no captured length: the data is the original packet cut to
  // the snaplen, padded to 4 bytes, so only the smaller of the two is data.
  std::size_t captured = std::min<std::size_t>(*original, reader.remaining());
  if (snaplen != 0) captured = std::min<std::size_t>(captured, snaplen);
  PcapngPacket packet;
  packet.has_timestamp = false;
  packet.original_length = *original;
  packet.data = *reader.bytes(captured);
  return packet;
}

Result<PcapngStatistics> parse_interface_statistics(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  auto interface_id = reader.u32();
  auto high = reader.u32();
  auto low = reader.u32();
  if (!interface_id || !high || !low) return make_error("interface statistics block too short");
  PcapngStatistics statistics;
  statistics.interface_id = *interface_id;
  statistics.timestamp_ticks = (std::uint64_t{*high} << 32) | *low;
  for_each_option(reader, [&](std::uint16_t code, Bytes value) {
    if (value.size() != 8) return;
    EndianReader v(value, big_endian);
    switch (code) {
      case kIsbStartTime: {  // a timestamp: upper 32 bits first, as in the block
        const std::uint64_t upper = *v.u32();
        statistics.start_ticks = (upper << 32) | *v.u32();
        break;
      }
      case kIsbIfRecv: statistics.received = *v.u64(); break;
      case kIsbIfDrop: statistics.interface_drops = *v.u64(); break;
      case kIsbOsDrop: statistics.os_drops = *v.u64(); break;
      default: break;
    }
  });
  return statistics;
}

std::vector<Bytes> trailing_statistics_blocks(Bytes tail, bool big_endian) {
  std::vector<Bytes> bodies;
  std::size_t end = tail.size();
  while (end >= kPcapngMinBlockLength) {
    const std::uint32_t length = *EndianReader(tail.subspan(end - 4), big_endian).u32();
    if (length < kPcapngMinBlockLength || length % 4 != 0 || length > end) break;
    const Bytes block = tail.subspan(end - length, length);
    if (*EndianReader(block, big_endian).u32() != kBlockInterfaceStatistics) break;
    auto body = pcapng_block_body(block, big_endian);
    if (!body) break;
    bodies.push_back(*body);
    end -= length;
  }
  std::reverse(bodies.begin(), bodies.end());
  return bodies;
}

Result<PcapngSecrets> parse_decryption_secrets(Bytes body, bool big_endian) {
  EndianReader reader(body, big_endian);
  auto type = reader.u32();
  auto length = reader.u32();
  if (!type || !length) return make_error("decryption secrets block too short");
  auto data = padded_data(reader, *length);
  if (!data) {
    return make_error("decryption secrets block declares " + std::to_string(*length) + " bytes but holds " +
                      std::to_string(reader.remaining()));
  }
  return PcapngSecrets{*type, *data};
}

}  // namespace tlsring::capture
