// A large, reusable buffer of captured packets: the unit the capture thread
// hands to the writer thread. Each packet is stored as the record the capture
// file will hold (a pcapng Enhanced Packet Block, or a pcap record header and
// the bytes), encoded once by the capture thread, so that the writer hands
// runs of records to write(2) as they are: one copy of a packet in user space
// (kernel ring to block), none more on the way to the file. Appending makes
// no allocation; the storage is allocated once.
//
// Records follow each other without gaps, in the file's byte order
// (little-endian, as CaptureWriter writes). for_each() decodes them back into
// CapturedPackets whose `record` is the encoded bytes. What the formats cannot
// hold is normalised on the way in: a negative timestamp becomes 0 (the
// kernel never gives one); pcap records carry no interface, so they come back
// on interface 0 (a pcap ring has exactly one); pcap_micro keeps microseconds.
#pragma once

#include "core/capture/capture_writer.h"
#include "core/capture/capture_writer_blocks.h"
#include "daemon/capture/captured_packet.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace tlsring::daemon {

class PacketBlock {
 public:
  using Format = capture::CaptureFormat;

  // Bytes one packet of `captured_length` bytes occupies in a block of `format`.
  static constexpr std::size_t record_size(Format format, std::size_t captured_length) {
    return format == Format::pcapng ? capture::blocks::epb_size(captured_length)
                                    : capture::blocks::pcap_record_size(captured_length);
  }

  PacketBlock(std::size_t capacity, Format format)
      : storage_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity)), capacity_(capacity), format_(format) {}

  // Encodes `packet` in, or returns false (block unchanged) if it does not fit.
  bool append(const CapturedPacket& packet) {
    const std::size_t needed = record_size(format_, packet.data.size());
    if (needed > capacity_ - used_) return false;
    const std::span<std::uint8_t> out(storage_.get() + used_, needed);
    const std::int64_t timestamp_ns = packet.timestamp_ns < 0 ? 0 : packet.timestamp_ns;
    const std::uint32_t original =
        std::max<std::uint32_t>(packet.original_length, static_cast<std::uint32_t>(packet.data.size()));
    if (format_ == Format::pcapng) {
      capture::blocks::encode_epb(out, packet.interface_id, timestamp_ns, packet.data, original);
    } else {
      capture::blocks::encode_pcap_record(out, format_ == Format::pcap_nano, timestamp_ns, packet.data, original);
    }
    used_ += needed;
    ++packets_;
    resident_ = true;
    return true;
  }

  // Calls on_packet(const CapturedPacket&) for each packet in append order,
  // until it returns false. Returns how many packets it was called for.
  template <class OnPacket>
  std::size_t for_each(OnPacket&& on_packet) const {
    std::size_t offset = 0;
    std::size_t visited = 0;
    while (offset < used_) {
      CapturedPacket packet = decode(storage_.get() + offset);
      offset += packet.record.size();
      ++visited;
      if (!on_packet(packet)) break;
    }
    return visited;
  }

  void clear() {
    used_ = 0;
    packets_ = 0;
  }

  // Gives the block's memory back to the operating system (the block must be
  // empty); the next append faults it in again, zeroed. The pool calls it on
  // blocks beyond the few it keeps warm, so that a burst does not leave the
  // whole pool resident.
  void release_memory();
  // True once an append touched the memory, until release_memory().
  bool resident() const { return resident_; }
  const std::uint8_t* storage() const { return storage_.get(); }

  bool empty() const { return packets_ == 0; }
  std::size_t packet_count() const { return packets_; }
  std::size_t used_bytes() const { return used_; }
  std::size_t capacity() const { return capacity_; }
  Format format() const { return format_; }

 private:
  static std::uint32_t u32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;  // records are little-endian, and so is every host tlsring builds for
  }

  CapturedPacket decode(const std::uint8_t* in) const {
    CapturedPacket packet;
    packet.record_format = format_;
    if (format_ == Format::pcapng) {
      // type, total length, interface, timestamp high, low, captured, original, data
      const std::uint32_t captured = u32(in + 20);
      packet.interface_id = u32(in + 8);
      packet.timestamp_ns = static_cast<std::int64_t>((std::uint64_t{u32(in + 12)} << 32) | u32(in + 16));
      packet.original_length = u32(in + 24);
      packet.data = std::span<const std::uint8_t>(in + 28, captured);
      packet.record = std::span<const std::uint8_t>(in, u32(in + 4));
    } else {
      // seconds, fraction, captured, original, data
      const std::uint32_t captured = u32(in + 8);
      const std::int64_t unit = format_ == Format::pcap_nano ? 1 : 1000;
      packet.timestamp_ns = std::int64_t{u32(in)} * 1'000'000'000 + std::int64_t{u32(in + 4)} * unit;
      packet.original_length = u32(in + 12);
      packet.data = std::span<const std::uint8_t>(in + 16, captured);
      packet.record = std::span<const std::uint8_t>(in, 16 + captured);
    }
    return packet;
  }

  std::unique_ptr<std::uint8_t[]> storage_;
  std::size_t capacity_ = 0;
  Format format_;
  std::size_t used_ = 0;
  std::size_t packets_ = 0;
  bool resident_ = false;
};

}  // namespace tlsring::daemon
