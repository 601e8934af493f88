// pcapng blocks (draft-ietf-opsawg-pcapng): every block is
//   u32 type | u32 total length | body | u32 total length
// in the byte order its section's header block declares. These are pure
// parsers over one whole block; pcapng_reader.h does the I/O and the state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes/byte_reader.h"
#include "core/capture/timestamp.h"
#include "core/result.h"

namespace tlsring::capture {

enum PcapngBlockType : std::uint32_t {
  kBlockSectionHeader = 0x0a0d0d0a,
  kBlockInterfaceDescription = 0x00000001,
  kBlockObsoletePacket = 0x00000002,  // "Packet Block", replaced by the EPB
  kBlockSimplePacket = 0x00000003,
  kBlockInterfaceStatistics = 0x00000005,
  kBlockEnhancedPacket = 0x00000006,
  kBlockDecryptionSecrets = 0x0000000a,
};

constexpr std::uint32_t kPcapngByteOrderMagic = 0x1a2b3c4d;
constexpr std::size_t kPcapngMinBlockLength = 12;  // type, length, trailing length

// Validates a block's framing, given the whole block (`block.size()` equals the
// length in its header): the length is a multiple of 4, at least 12, and the
// trailing copy agrees. Returns the body (between the header and the trailer).
Result<Bytes> pcapng_block_body(Bytes block, bool big_endian);

// Byte order of a section from the first 12 bytes of its header block, or
// nullopt when the byte-order magic is neither 1a2b3c4d nor 4d3c2b1a.
std::optional<bool> pcapng_section_is_big_endian(Bytes first_twelve);

// Checks a Section Header Block body: version 1.x.
Status parse_section_header(Bytes body, bool big_endian);

struct PcapngInterface {
  std::uint32_t link_type = 0;
  std::uint32_t snaplen = 0;           // 0 = no limit
  TimestampUnit unit;                  // if_tsresol, default microseconds
  std::int64_t offset_seconds = 0;     // if_tsoffset
};

// Interface Description Block body: link type, snaplen, and the options
// if_tsresol (9) and if_tsoffset (14). Unknown options are skipped; a cut
// option list ends the options rather than the block.
Result<PcapngInterface> parse_interface_description(Bytes body, bool big_endian);

struct PcapngPacket {
  std::uint32_t interface_id = 0;
  bool has_timestamp = true;           // false for the Simple Packet Block
  std::uint64_t timestamp_ticks = 0;
  std::uint32_t original_length = 0;
  Bytes data;                          // the captured bytes, padding removed
  std::uint64_t dropped_before = 0;    // epb_dropcount, or the obsolete Packet Block's drops count
};

Result<PcapngPacket> parse_enhanced_packet(Bytes body, bool big_endian);
Result<PcapngPacket> parse_obsolete_packet(Bytes body, bool big_endian);
// The captured length is min(original length, body, snaplen of interface 0).
Result<PcapngPacket> parse_simple_packet(Bytes body, bool big_endian, std::uint32_t snaplen);

// Interface Statistics Block: the counters a capturing program read from one
// interface (usually when it closed the file). Times are in the interface's
// ticks; the counters count from isb_starttime when it is given.
struct PcapngStatistics {
  std::uint32_t interface_id = 0;
  std::uint64_t timestamp_ticks = 0;             // when the counters were read
  std::optional<std::uint64_t> start_ticks;      // isb_starttime
  std::optional<std::uint64_t> received;         // isb_ifrecv
  std::optional<std::uint64_t> interface_drops;  // isb_ifdrop: lost for lack of resources (the kernel's buffer)
  std::optional<std::uint64_t> os_drops;         // isb_osdrop: lost by the operating system
};
Result<PcapngStatistics> parse_interface_statistics(Bytes body, bool big_endian);

// The Interface Statistics Blocks that end a file, found by walking back from
// its end over the blocks' trailing lengths: `tail` is the file's last bytes.
// Returns their bodies in file order; stops at the first other block, or at a
// block that does not lie wholly in `tail` or whose framing does not hold.
std::vector<Bytes> trailing_statistics_blocks(Bytes tail, bool big_endian);

struct PcapngSecrets {
  std::uint32_t secrets_type = 0;
  Bytes data;
};
Result<PcapngSecrets> parse_decryption_secrets(Bytes body, bool big_endian);

}  // namespace tlsring::capture
