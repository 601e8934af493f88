// PcapngReader: the CaptureReader for pcapng files (see pcapng_blocks.h). Each
// Section Header Block starts a new section with its own byte order and
// interface list; packets take their link type and timestamp unit from their
// interface; Simple Packet Blocks, which carry no timestamp, take the time of
// the packet before them (0 for the first).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/capture/file_capture_reader.h"
#include "core/capture/pcapng_blocks.h"

namespace tlsring::capture {

class PcapngReader final : public FileCaptureReader {
 public:
  // At most this many interfaces in one section; more is taken as corruption.
  static constexpr std::size_t kMaxInterfaces = 65536;

  // `file` is positioned at byte 0 of a file that starts with a Section Header Block.
  static std::unique_ptr<CaptureReader> create(std::filesystem::path path, BufferedFile file);

  // statistics_at_end() reads at most this many bytes at the end of the file:
  // hundreds of statistics blocks.
  static constexpr std::size_t kStatisticsTail = std::size_t{64} << 10;

  std::vector<InterfaceStatistics> statistics_at_end() override;

 private:
  PcapngReader(std::filesystem::path path, BufferedFile file)
      : FileCaptureReader(std::move(path), std::move(file)) {}
  CaptureEvent read_next() override;
  // Handles one whole block; sets `event` when the block yields one.
  Status handle_block(std::uint32_t type, Bytes body, bool big_endian, CaptureEvent& event, bool& has_event);
  Status packet_from(const Result<PcapngPacket>& parsed, CaptureEvent& event);

  bool big_endian_ = false;
  std::vector<PcapngInterface> interfaces_;
  std::int64_t last_timestamp_ns_ = 0;
  std::optional<std::int64_t> first_timestamp_ns_;
};

}  // namespace tlsring::capture
