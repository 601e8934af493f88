// Encoders for the records of pcap and pcapng files, as CaptureWriter writes
// them: little-endian, pcapng blocks padded to 4 bytes with their total length
// at both ends, IDBs with if_tsresol 9. Pure functions: each *_size() gives the
// exact size of a record and the matching encode_*() fills a span of exactly
// that size, so a caller can encode straight into its own buffer without
// allocating. Formats: tcpdump.org pcap(5) and draft-ietf-opsawg-pcapng.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tlsring::capture::blocks {

constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;

constexpr std::uint32_t kBlockSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kBlockInterfaceDescription = 0x00000001;
constexpr std::uint32_t kBlockInterfaceStatistics = 0x00000005;
constexpr std::uint32_t kBlockEnhancedPacket = 0x00000006;
constexpr std::uint32_t kBlockDecryptionSecrets = 0x0000000a;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;

constexpr std::size_t pad4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// pcap: the 24-byte file header and the 16-byte record header + data.
constexpr std::size_t kPcapFileHeaderSize = 24;
void encode_pcap_file_header(std::span<std::uint8_t> out, bool nanosecond,
                             std::uint32_t link_type, std::uint32_t snaplen);
constexpr std::size_t pcap_record_size(std::size_t captured) { return 16 + captured; }
// `timestamp_ns` >= 0 and below 2^32 seconds (the caller checks).
void encode_pcap_record(std::span<std::uint8_t> out, bool nanosecond, std::int64_t timestamp_ns,
                        std::span<const std::uint8_t> captured, std::uint32_t original_length);

// pcapng Section Header Block, section length unknown (-1); `application`
// becomes shb_userappl when not empty.
std::size_t shb_size(std::string_view application);
void encode_shb(std::span<std::uint8_t> out, std::string_view application);

// Interface Description Block with if_name (when not empty) and if_tsresol 9.
std::size_t idb_size(std::string_view name);
void encode_idb(std::span<std::uint8_t> out, std::uint32_t link_type, std::uint32_t snaplen,
                std::string_view name);

// Enhanced Packet Block, timestamp in nanoseconds (if_tsresol 9). No options,
// unless `dropped_before` > 0: then epb_dropcount (option 4), the packets lost
// between this packet and the one before it (pcapng spec, section 4.3.1).
constexpr std::size_t kEpbDropCountSize = 16;  // the option (4 + 8) and opt_endofopt (4)
constexpr std::size_t epb_size(std::size_t captured, std::uint64_t dropped_before = 0) {
  return 32 + pad4(captured) + (dropped_before > 0 ? kEpbDropCountSize : 0);
}
void encode_epb(std::span<std::uint8_t> out, std::uint32_t interface_id, std::int64_t timestamp_ns,
                std::span<const std::uint8_t> captured, std::uint32_t original_length,
                std::uint64_t dropped_before = 0);

// Decryption Secrets Block.
constexpr std::size_t dsb_size(std::size_t secrets) { return 20 + pad4(secrets); }
void encode_dsb(std::span<std::uint8_t> out, std::uint32_t secrets_type,
                std::span<const std::uint8_t> secrets);

// Interface Statistics Block with isb_ifrecv and isb_ifdrop, and with
// isb_starttime when the counters count from a known time.
constexpr std::size_t isb_size(bool has_start) { return has_start ? 64 : 52; }
constexpr std::size_t kIsbMaxSize = isb_size(true);
void encode_isb(std::span<std::uint8_t> out, std::uint32_t interface_id, std::int64_t timestamp_ns,
                std::optional<std::int64_t> start_ns, std::uint64_t received, std::uint64_t dropped);

}  // namespace tlsring::capture::blocks
