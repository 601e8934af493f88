// A large, reusable buffer of captured packets: the unit the capture thread
// hands to the writer thread. Appending copies one packet (a small record
// header and its bytes) with no allocation; the storage is allocated once.
//
// Record layout, 8-byte aligned: timestamp_ns (8), interface_id (4),
// original_length (4), captured_length (4), reserved (4), then the bytes,
// padded to 8. Fields are copied in and out with memcpy; the block is private
// to the process, so host byte order.
#pragma once

#include "daemon/capture/captured_packet.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace tlsring::daemon {

class PacketBlock {
 public:
  static constexpr std::size_t kRecordHeaderSize = 24;

  // Bytes one packet of `captured_length` bytes occupies in a block.
  static constexpr std::size_t record_size(std::size_t captured_length) {
    return kRecordHeaderSize + ((captured_length + 7) & ~std::size_t{7});
  }

  explicit PacketBlock(std::size_t capacity)
      : storage_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity)), capacity_(capacity) {}

  // Copies `packet` in, or returns false (block unchanged) if it does not fit.
  bool append(const CapturedPacket& packet) {
    const std::size_t length = packet.data.size();
    const std::size_t needed = record_size(length);
    if (needed > capacity_ - used_) return false;
    std::uint8_t* out = storage_.get() + used_;
    const auto captured = static_cast<std::uint32_t>(length);
    const std::uint32_t reserved = 0;
    std::memcpy(out, &packet.timestamp_ns, 8);
    std::memcpy(out + 8, &packet.interface_id, 4);
    std::memcpy(out + 12, &packet.original_length, 4);
    std::memcpy(out + 16, &captured, 4);
    std::memcpy(out + 20, &reserved, 4);
    if (length > 0) std::memcpy(out + kRecordHeaderSize, packet.data.data(), length);
    used_ += needed;
    ++packets_;
    return true;
  }

  // Calls on_packet(const CapturedPacket&) for each packet in append order,
  // until it returns false. Returns how many packets it was called for.
  template <class OnPacket>
  std::size_t for_each(OnPacket&& on_packet) const {
    std::size_t offset = 0;
    std::size_t visited = 0;
    while (offset < used_) {
      const std::uint8_t* in = storage_.get() + offset;
      CapturedPacket packet;
      std::uint32_t captured = 0;
      std::memcpy(&packet.timestamp_ns, in, 8);
      std::memcpy(&packet.interface_id, in + 8, 4);
      std::memcpy(&packet.original_length, in + 12, 4);
      std::memcpy(&captured, in + 16, 4);
      packet.data = std::span<const std::uint8_t>(in + kRecordHeaderSize, captured);
      offset += record_size(captured);
      ++visited;
      if (!on_packet(packet)) break;
    }
    return visited;
  }

  void clear() {
    used_ = 0;
    packets_ = 0;
  }

  bool empty() const { return packets_ == 0; }
  std::size_t packet_count() const { return packets_; }
  std::size_t used_bytes() const { return used_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<std::uint8_t[]> storage_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
  std::size_t packets_ = 0;
};

}  // namespace tlsring::daemon
