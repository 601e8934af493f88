// StreamReassembler: one direction of a connection, in 64-bit stream offsets
// (sequence numbers are unwrapped before they get here). Delivers bytes in
// order exactly once: in-order payload as a view of the caller's bytes,
// out-of-order payload copied into a SegmentBuffer (first copy wins) until the
// hole before it fills. A hole becomes a gap, and delivery goes on after it:
//  - when the peer acknowledged the whole hole (acknowledge()) while later
//    bytes or the FIN wait behind it: the capture missed those bytes;
//  - when holding a segment would take the buffer past max_buffered_bytes:
//    the buffer never exceeds it, not even during a handler call;
//  - on flush() (connection close or end of capture).
// The FIN is reported once every byte before it was delivered or declared lost.
// After skip_bytes() (the handler wants no more bytes of this direction) it
// holds no bytes: it follows the highest offset seen and the ranges not seen
// below it (holes: a late segment fills them), reports the FIN as soon as it
// is seen, and the holes left as gaps before the FIN or at the close.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/tcp/segment_buffer.h"
#include "core/tcp/tcp_tracker.h"

namespace tlsring::tcp {

// Where a direction's events go, and the time of the segment being processed.
struct Delivery {
  ConnectionHandler& handler;
  Side side;
  TrackerStats& stats;
  std::int64_t timestamp_ns;
};

class StreamReassembler {
 public:
  explicit StreamReassembler(std::uint64_t max_buffered_bytes) : max_buffered_(max_buffered_bytes) {}

  // `data` starts at stream offset `offset` (negative: before offset 0; those bytes are dropped).
  void add(std::int64_t offset, std::span<const std::uint8_t> data, const Delivery& delivery);
  // The direction's FIN sits at `offset` (the offset just after its last byte).
  // The first FIN seen counts; bytes held or arriving at or after it are dropped.
  void set_fin(std::int64_t offset, const Delivery& delivery);
  // The peer acknowledged every byte before `offset`.
  void acknowledge(std::int64_t offset, const Delivery& delivery);
  // Every hole becomes a gap; everything held, and a FIN seen, is delivered.
  void flush(const Delivery& delivery);
  // From now on bytes are counted, not delivered or held; held bytes are dropped.
  void skip_bytes(const Delivery& delivery);
  bool skipping() const { return skipping_; }

  std::uint64_t next_offset() const { return next_; }
  std::uint64_t buffered_bytes() const { return buffer_.bytes(); }
  bool fin_seen() const { return fin_seen_; }
  bool fin_delivered() const { return fin_delivered_; }

 private:
  void deliver(std::span<const std::uint8_t> data, const Delivery& delivery);
  void deliver_buffered(const Delivery& delivery);
  void deliver_fin_if_ready(const Delivery& delivery);
  void deliver_fin(const Delivery& delivery);
  void gap_to(std::uint64_t end, const Delivery& delivery);
  void gap_on_ack(const Delivery& delivery);
  void add_skipped(std::int64_t begin, std::int64_t end, const Delivery& delivery);
  void open_hole(std::uint64_t begin, std::uint64_t end, const Delivery& delivery);
  std::uint64_t fill_holes(std::uint64_t begin, std::uint64_t end);  // returns the bytes filled
  void declare_holes(const Delivery& delivery);
  void report_gap(std::uint64_t begin, std::uint64_t end, const Delivery& delivery);
  void deliver_skipped_fin(const Delivery& delivery);

  struct Hole {
    std::uint64_t begin;
    std::uint64_t end;
  };

  std::uint64_t max_buffered_;
  std::uint64_t next_ = 0;   // every byte before it was delivered or declared a gap
  std::uint64_t acked_ = 0;  // the peer acknowledged every byte before it
  std::uint64_t fin_offset_ = 0;
  bool fin_seen_ = false;
  bool fin_delivered_ = false;
  bool skipping_ = false;
  std::vector<Hole> holes_;            // while skipping: ranges below next_ not seen, in order
  std::uint64_t skipped_ = 0;          // how far next_ moved since skip_bytes()
  std::int64_t last_skipped_ns_ = 0;   // when the last of them arrived
  SegmentBuffer buffer_;     // invariant: every piece lies at or after next_
};

}  // namespace tlsring::tcp
