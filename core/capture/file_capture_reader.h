// FileCaptureReader: what the pcap and pcapng readers share: the buffered
// file, the packet count, and the terminal event (end or truncated) that every
// later next() repeats, so that no input can make a caller loop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/bytes/byte_reader.h"
#include "core/capture/buffered_file.h"
#include "core/capture/capture_reader.h"

namespace tlsring::capture {

// Sanity limits: a larger declared length is taken as corruption, not read.
constexpr std::uint32_t kMaxPacketLength = 256u << 20;                 // 256 MiB
constexpr std::uint32_t kMaxBlockLength = kMaxPacketLength + (1u << 20);  // packet + headers and options

class FileCaptureReader : public CaptureReader {
 public:
  CaptureEvent next() final {
    if (finished_) return final_event_;
    const std::uint64_t start = file_.offset();
    CaptureEvent event = read_next();
    if (event.kind == CaptureEvent::Kind::packet && file_.unreadable_before(file_.offset())) {
      // The record read as zeros where a mapped page could not be read: not a packet.
      --packets_read_;
      return finish_at_boundary(start);
    }
    return event;
  }
  std::uint64_t packets_read() const final { return packets_read_; }
  bool hold_views() final {
    file_.hold_views();
    return true;
  }
  std::uint64_t offset() const final { return file_.offset(); }
  void release_before(std::uint64_t offset) final { file_.release_before(offset); }
  const std::filesystem::path& path() const final { return path_; }

 protected:
  FileCaptureReader(std::filesystem::path path, BufferedFile file)
      : path_(std::move(path)), file_(std::move(file)) {}

  // Reads the next record; called until it returns end or truncated.
  virtual CaptureEvent read_next() = 0;

  // Ends the stream where the cursor stands (or at `offset`, where the record
  // that could not be read starts): a clean end when the file ends exactly
  // there, otherwise a read error.
  CaptureEvent finish_at_boundary() { return finish_at_boundary(file_.offset()); }
  CaptureEvent finish_at_boundary(std::uint64_t offset);
  // Ends the stream because a record that starts at the cursor and needs more
  // bytes than the file holds; `what` names the record ("a packet record").
  CaptureEvent finish_cut_short(std::string_view what);
  // Ends the stream at a corrupt record that starts at `offset`.
  CaptureEvent finish_corrupt(std::uint64_t offset, std::string_view reason);

  CaptureEvent packet_event(std::int64_t timestamp_ns, std::uint32_t link_type, std::uint32_t interface_id,
                            std::uint32_t original_length, Bytes data) {
    ++packets_read_;
    CaptureEvent event;
    event.kind = CaptureEvent::Kind::packet;
    event.packet.timestamp_ns = timestamp_ns;
    event.packet.link_type = link_type;
    event.packet.interface_id = interface_id;
    // A writer that stored less on the wire than it captured is wrong; never
    // let original_length - data.size() go negative for a caller.
    event.packet.original_length =
        original_length < data.size() ? static_cast<std::uint32_t>(data.size()) : original_length;
    event.packet.data = data;
    return event;
  }

  const std::filesystem::path path_;
  BufferedFile file_;

 private:
  CaptureEvent finish(CaptureEvent::Kind kind, std::string warning);

  std::uint64_t packets_read_ = 0;
  bool finished_ = false;
  CaptureEvent final_event_;
};

}  // namespace tlsring::capture
