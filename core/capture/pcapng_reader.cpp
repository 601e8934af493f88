#include "core/capture/pcapng_reader.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "core/capture/endian_reader.h"
#include "core/saturating.h"

namespace tlsring::capture {
namespace {

std::string describe_block(std::uint32_t type) {
  switch (type) {
    case kBlockEnhancedPacket:
    case kBlockSimplePacket:
    case kBlockObsoletePacket: return "a packet record";
    case kBlockSectionHeader: return "a section header block";
    case kBlockInterfaceDescription: return "an interface description block";
    case kBlockDecryptionSecrets: return "a decryption secrets block";
    default: {
      char hex[16];
      std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(type));
      return std::string("a pcapng block of type 0x") + hex;
    }
  }
}

// The last min(size, n) bytes of a regular file, read apart from the reader's
// own stream; empty for a pipe or when they cannot be read.
std::vector<std::uint8_t> read_file_tail(const std::filesystem::path& path, std::size_t n) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return {};
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return {};
  std::vector<std::uint8_t> tail(static_cast<std::size_t>(std::min<std::uintmax_t>(size, n)));
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(size - tail.size()));
  in.read(reinterpret_cast<char*>(tail.data()), static_cast<std::streamsize>(tail.size()));
  if (!in) return {};
  return tail;
}

// Statistics read at `read_at` (counting from `start`) belong with a file whose
// first packet came at `first_packet`: read after it (a second's leeway for
// clocks), within a year of it, and not before they started counting.
bool statistics_times_fit(std::int64_t read_at, std::optional<std::int64_t> start, std::int64_t first_packet) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  constexpr std::int64_t kYear = 366 * 24 * 3600 * kSecond;
  std::int64_t after = 0;  // read_at - first_packet; out of the int64 range fits nothing
  if (__builtin_sub_overflow(read_at, first_packet, &after) || after < -kSecond || after > kYear) return false;
  return !start || *start <= read_at;
}

}  // namespace

std::unique_ptr<CaptureReader> PcapngReader::create(std::filesystem::path path, BufferedFile file) {
  return std::unique_ptr<CaptureReader>(new PcapngReader(std::move(path), std::move(file)));
}

CaptureEvent PcapngReader::read_next() {
  for (;;) {
    const std::uint64_t start = file_.offset();
    const auto head = file_.fill(12);
    if (head.empty()) return finish_at_boundary();
    if (head.size() < 8) return finish_cut_short("a pcapng block header");
    EndianReader type_reader(head, big_endian_);
    const std::uint32_t type = *type_reader.u32();  // the SHB type reads the same in both orders

    bool big_endian = big_endian_;
    if (type == kBlockSectionHeader) {
      if (head.size() < 12) return finish_cut_short(describe_block(type));
      const auto order = pcapng_section_is_big_endian(head);
      if (!order) return finish_corrupt(start, "section header block with an unknown byte-order magic");
      big_endian = *order;
    }
    EndianReader length_reader(head.subspan(4), big_endian);
    const std::uint32_t length = *length_reader.u32();
    if (length < kPcapngMinBlockLength || length % 4 != 0 || length > kMaxBlockLength) {
      return finish_corrupt(start, "block length " + std::to_string(length) +
                                       " is not a multiple of 4 between 12 and 257 MiB");
    }
    const auto block = file_.fill(length);
    if (block.size() < length) return finish_cut_short(describe_block(type));
    const auto body = pcapng_block_body(block, big_endian);
    if (!body) return finish_corrupt(start, body.error().message);

    CaptureEvent event;
    bool has_event = false;
    if (auto status = handle_block(type, *body, big_endian, event, has_event); !status) {
      return finish_corrupt(start, status.error().message);
    }
    file_.consume(length);
    if (has_event) return event;
  }
}

Status PcapngReader::handle_block(std::uint32_t type, Bytes body, bool big_endian, CaptureEvent& event,
                                  bool& has_event) {
  switch (type) {
    case kBlockSectionHeader: {
      if (auto status = parse_section_header(body, big_endian); !status) return status;
      big_endian_ = big_endian;
      interfaces_.clear();  // interface ids restart in every section
      return {};
    }
    case kBlockInterfaceDescription: {
      auto interface = parse_interface_description(body, big_endian);
      if (!interface) return interface.error();
      if (interfaces_.size() >= kMaxInterfaces) {
        return make_error("more than " + std::to_string(kMaxInterfaces) + " interfaces in one section");
      }
      interfaces_.push_back(*interface);
      return {};
    }
    case kBlockEnhancedPacket:
      has_event = true;
      return packet_from(parse_enhanced_packet(body, big_endian), event);
    case kBlockObsoletePacket:
      has_event = true;
      return packet_from(parse_obsolete_packet(body, big_endian), event);
    case kBlockSimplePacket: {
      if (interfaces_.empty()) return make_error("simple packet block before any interface description block");
      has_event = true;
      return packet_from(parse_simple_packet(body, big_endian, interfaces_[0].snaplen), event);
    }
    case kBlockDecryptionSecrets: {
      auto secrets = parse_decryption_secrets(body, big_endian);
      if (!secrets) return secrets.error();
      event.kind = CaptureEvent::Kind::secrets;
      event.secrets_type = secrets->secrets_type;
      event.secrets = secrets->data;
      has_event = true;
      return {};
    }
    default:
      return {};  // name resolution, statistics, custom and unknown blocks carry no packets
  }
}

std::vector<InterfaceStatistics> PcapngReader::statistics_at_end() {
  const std::vector<std::uint8_t> tail = read_file_tail(path_, kStatisticsTail);
  std::vector<InterfaceStatistics> found;
  for (const Bytes body : trailing_statistics_blocks(tail, big_endian_)) {
    auto parsed = parse_interface_statistics(body, big_endian_);
    if (!parsed || parsed->interface_id >= interfaces_.size()) continue;
    const PcapngInterface& interface = interfaces_[parsed->interface_id];
    InterfaceStatistics statistics;
    statistics.interface_id = parsed->interface_id;
    if (first_timestamp_ns_) {
      for (const TimestampUnit unit : {interface.unit, TimestampUnit{}}) {
        const std::int64_t read_at = ticks_to_ns(parsed->timestamp_ticks, unit, interface.offset_seconds);
        const std::optional<std::int64_t> start =
            parsed->start_ticks ? std::optional(ticks_to_ns(*parsed->start_ticks, unit, interface.offset_seconds))
                                : std::nullopt;
        if (statistics_times_fit(read_at, start, *first_timestamp_ns_)) {
          statistics.timestamp_ns = read_at;
          statistics.start_ns = start;
          break;
        }
      }
    }
    statistics.received = parsed->received;
    if (parsed->interface_drops || parsed->os_drops) {
      statistics.dropped = saturating_add(parsed->interface_drops.value_or(0), parsed->os_drops.value_or(0));
    }
    found.push_back(statistics);
  }
  return found;
}

Status PcapngReader::packet_from(const Result<PcapngPacket>& parsed, CaptureEvent& event) {
  if (!parsed) return parsed.error();
  const PcapngPacket& packet = *parsed;
  if (packet.interface_id >= interfaces_.size()) {
    return make_error("packet refers to interface " + std::to_string(packet.interface_id) + " but the section has " +
                      std::to_string(interfaces_.size()));
  }
  if (packet.data.size() > kMaxPacketLength) return make_error("packet longer than the 256 MiB limit");
  const PcapngInterface& interface = interfaces_[packet.interface_id];
  if (packet.has_timestamp) {
    last_timestamp_ns_ = ticks_to_ns(packet.timestamp_ticks, interface.unit, interface.offset_seconds);
  }
  if (!first_timestamp_ns_) first_timestamp_ns_ = last_timestamp_ns_;
  event = packet_event(last_timestamp_ns_, interface.link_type, packet.interface_id, packet.original_length,
                       packet.data);
  event.packet.dropped_before = packet.dropped_before;
  return {};
}

}  // namespace tlsring::capture
