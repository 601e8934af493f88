#include "core/capture/capture_writer_blocks.h"

#include <cassert>
#include <cstring>

namespace tlsring::capture::blocks {
namespace {

// Little-endian writes into a span whose size the caller computed exactly;
// the asserts catch a size function and its encoder disagreeing.
class LeOut {
 public:
  explicit LeOut(std::span<std::uint8_t> out) : out_(out) {}

  void u8(std::uint8_t v) { assert(pos_ < out_.size()); out_[pos_++] = v; }
  void u16(std::uint16_t v) { for (int i = 0; i < 2; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i))); }
  void u32(std::uint32_t v) { for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i))); }
  void u64(std::uint64_t v) { for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(v >> (8 * i))); }
  void bytes(std::span<const std::uint8_t> b) {
    assert(pos_ + b.size() <= out_.size());
    if (!b.empty()) std::memcpy(out_.data() + pos_, b.data(), b.size());
    pos_ += b.size();
  }
  void text(std::string_view s) {
    bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  }
  void pad_to_4() { while (pos_ % 4 != 0) u8(0); }
  std::size_t pos() const { return pos_; }

 private:
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

// Writes block type and total length; the trailing length follows via end_block.
void begin_block(LeOut& out, std::uint32_t type, std::size_t total) {
  out.u32(type);
  out.u32(static_cast<std::uint32_t>(total));
}
void end_block(LeOut& out, std::size_t total) {
  out.u32(static_cast<std::uint32_t>(total));
  assert(out.pos() == total);
}

// One option: code, length, value padded to 4 bytes.
constexpr std::size_t option_size(std::size_t value) { return 4 + pad4(value); }
void option_text(LeOut& out, std::uint16_t code, std::string_view value) {
  out.u16(code);
  out.u16(static_cast<std::uint16_t>(value.size()));
  out.text(value);
  out.pad_to_4();
}

constexpr std::uint16_t kOptEndOfOpt = 0;
constexpr std::uint16_t kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsresol = 9;
constexpr std::uint16_t kIsbStartTime = 2;
constexpr std::uint16_t kIsbIfRecv = 4;
constexpr std::uint16_t kIsbIfDrop = 5;
constexpr std::uint16_t kEpbDropCount = 4;

// A pcapng timestamp in nanosecond ticks (if_tsresol 9): upper 32 bits first.
void timestamp(LeOut& out, std::int64_t timestamp_ns) {
  const auto ticks = static_cast<std::uint64_t>(timestamp_ns);
  out.u32(static_cast<std::uint32_t>(ticks >> 32));
  out.u32(static_cast<std::uint32_t>(ticks));
}

// Option strings are limited by their 16-bit length field.
std::string_view clip(std::string_view s) { return s.substr(0, 0xfff0); }

}  // namespace

void encode_pcap_file_header(std::span<std::uint8_t> out, bool nanosecond,
                             std::uint32_t link_type, std::uint32_t snaplen) {
  LeOut o(out);
  o.u32(nanosecond ? kPcapMagicNano : kPcapMagicMicro);
  o.u16(2);  // version 2.4
  o.u16(4);
  o.u32(0);  // thiszone
  o.u32(0);  // sigfigs
  o.u32(snaplen);
  o.u32(link_type);
  assert(o.pos() == kPcapFileHeaderSize);
}

void encode_pcap_record(std::span<std::uint8_t> out, bool nanosecond, std::int64_t timestamp_ns,
                        std::span<const std::uint8_t> captured, std::uint32_t original_length) {
  LeOut o(out);
  const auto ns = static_cast<std::uint64_t>(timestamp_ns);
  o.u32(static_cast<std::uint32_t>(ns / 1'000'000'000));
  const auto fraction = static_cast<std::uint32_t>(ns % 1'000'000'000);
  o.u32(nanosecond ? fraction : fraction / 1000);
  o.u32(static_cast<std::uint32_t>(captured.size()));
  o.u32(original_length);
  o.bytes(captured);
  assert(o.pos() == pcap_record_size(captured.size()));
}

std::size_t shb_size(std::string_view application) {
  application = clip(application);
  std::size_t options = application.empty() ? 0 : option_size(application.size()) + 4;
  return 28 + options;  // type, length, magic, version, section length, trailer
}

void encode_shb(std::span<std::uint8_t> out, std::string_view application) {
  application = clip(application);
  const std::size_t total = shb_size(application);
  LeOut o(out);
  begin_block(o, kBlockSectionHeader, total);
  o.u32(kByteOrderMagic);
  o.u16(1);  // version 1.0
  o.u16(0);
  o.u64(~std::uint64_t{0});  // section length not known in advance
  if (!application.empty()) {
    option_text(o, kShbUserAppl, application);
    o.u16(kOptEndOfOpt);
    o.u16(0);
  }
  end_block(o, total);
}

std::size_t idb_size(std::string_view name) {
  name = clip(name);
  std::size_t options = option_size(1) + 4;  // if_tsresol + opt_endofopt
  if (!name.empty()) options += option_size(name.size());
  return 20 + options;
}

void encode_idb(std::span<std::uint8_t> out, std::uint32_t link_type, std::uint32_t snaplen,
                std::string_view name) {
  name = clip(name);
  const std::size_t total = idb_size(name);
  LeOut o(out);
  begin_block(o, kBlockInterfaceDescription, total);
  o.u16(static_cast<std::uint16_t>(link_type));
  o.u16(0);  // reserved
  o.u32(snaplen);
  if (!name.empty()) option_text(o, kIfName, name);
  o.u16(kIfTsresol);
  o.u16(1);
  o.u8(9);  // 10^-9 s: timestamps are nanoseconds
  o.pad_to_4();
  o.u16(kOptEndOfOpt);
  o.u16(0);
  end_block(o, total);
}

void encode_epb(std::span<std::uint8_t> out, std::uint32_t interface_id, std::int64_t timestamp_ns,
                std::span<const std::uint8_t> captured, std::uint32_t original_length,
                std::uint64_t dropped_before) {
  const std::size_t total = epb_size(captured.size(), dropped_before);
  LeOut o(out);
  begin_block(o, kBlockEnhancedPacket, total);
  o.u32(interface_id);
  timestamp(o, timestamp_ns);
  o.u32(static_cast<std::uint32_t>(captured.size()));
  o.u32(original_length);
  o.bytes(captured);
  o.pad_to_4();
  if (dropped_before > 0) {
    o.u16(kEpbDropCount);
    o.u16(8);
    o.u32(static_cast<std::uint32_t>(dropped_before));        // a u64, little-endian:
    o.u32(static_cast<std::uint32_t>(dropped_before >> 32));  // low word first
    o.u16(kOptEndOfOpt);
    o.u16(0);
  }
  end_block(o, total);
}

void encode_dsb(std::span<std::uint8_t> out, std::uint32_t secrets_type,
                std::span<const std::uint8_t> secrets) {
  const std::size_t total = dsb_size(secrets.size());
  LeOut o(out);
  begin_block(o, kBlockDecryptionSecrets, total);
  o.u32(secrets_type);
  o.u32(static_cast<std::uint32_t>(secrets.size()));
  o.bytes(secrets);
  o.pad_to_4();
  end_block(o, total);
}

void encode_isb(std::span<std::uint8_t> out, std::uint32_t interface_id, std::int64_t timestamp_ns,
                std::optional<std::int64_t> start_ns, std::uint64_t received, std::uint64_t dropped) {
  const std::size_t total = isb_size(start_ns.has_value());
  LeOut o(out);
  begin_block(o, kBlockInterfaceStatistics, total);
  o.u32(interface_id);
  timestamp(o, timestamp_ns);
  if (start_ns) {
    o.u16(kIsbStartTime);
    o.u16(8);
    timestamp(o, *start_ns);  // upper half first, as the block's own timestamp
  }
  o.u16(kIsbIfRecv);
  o.u16(8);
  o.u64(received);
  o.u16(kIsbIfDrop);
  o.u16(8);
  o.u64(dropped);
  o.u16(kOptEndOfOpt);
  o.u16(0);
  end_block(o, total);
}

}  // namespace tlsring::capture::blocks
