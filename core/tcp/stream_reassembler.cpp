#include "core/tcp/stream_reassembler.h"

#include <algorithm>
#include <cassert>

namespace tlsring::tcp {

void StreamReassembler::add(std::int64_t offset, std::span<const std::uint8_t> data, const Delivery& delivery) {
  std::int64_t begin = offset;
  std::int64_t end = offset + static_cast<std::int64_t>(data.size());
  if (fin_seen_) end = std::min(end, static_cast<std::int64_t>(fin_offset_));  // nothing follows a FIN
  bool counted_out_of_order = false;

  // Each pass either consumes bytes of the segment or releases held bytes, so
  // the loop ends; it re-reads next_ every time because passes move it.
  while (begin < end) {
    deliver_buffered(delivery);
    const auto next = static_cast<std::int64_t>(next_);
    if (begin < next) {  // already delivered (or declared lost): a retransmission
      const std::int64_t old_end = std::min(end, next);
      delivery.stats.retransmitted_bytes += static_cast<std::uint64_t>(old_end - begin);
      begin = old_end;
      continue;
    }
    if (begin == next) {
      // In order: hand the caller's bytes on directly, but only up to the first
      // held piece, whose bytes arrived first and therefore win.
      std::int64_t stop = end;
      if (!buffer_.empty()) stop = std::min(stop, static_cast<std::int64_t>(buffer_.front_offset()));
      deliver(data.subspan(static_cast<std::size_t>(begin - offset), static_cast<std::size_t>(stop - begin)),
              delivery);
      begin = stop;
      continue;
    }
    // Ahead of a hole: hold a copy of what is not held yet.
    if (!counted_out_of_order) {
      ++delivery.stats.out_of_order_segments;
      counted_out_of_order = true;
    }
    const auto ubegin = static_cast<std::uint64_t>(begin);
    const auto length = static_cast<std::uint64_t>(end - begin);
    const std::uint64_t fresh = buffer_.new_bytes(ubegin, length);
    if (fresh == 0) {
      delivery.stats.retransmitted_bytes += length;
      break;
    }
    if (buffer_.bytes() + fresh <= max_buffered_) {
      buffer_.insert(ubegin, data.subspan(static_cast<std::size_t>(begin - offset), static_cast<std::size_t>(length)));
      delivery.stats.buffered_bytes += fresh;
      delivery.stats.retransmitted_bytes += length - fresh;
      break;
    }
    // Holding it would break the bound: stop waiting for the first hole. The
    // hole ends at the first held byte, or at this segment if it comes first
    // (its bytes are then delivered rather than declared lost).
    const std::uint64_t hole_end = buffer_.empty() ? ubegin : std::min(ubegin, buffer_.front_offset());
    gap_to(hole_end, delivery);
  }
  deliver_buffered(delivery);
  deliver_fin_if_ready(delivery);
  gap_on_ack(delivery);
}

void StreamReassembler::set_fin(std::int64_t offset, const Delivery& delivery) {
  // A FIN before bytes already delivered contradicts the stream: ignore it.
  if (fin_seen_ || offset < static_cast<std::int64_t>(next_)) return;
  fin_seen_ = true;
  fin_offset_ = static_cast<std::uint64_t>(offset);
  delivery.stats.buffered_bytes -= buffer_.truncate(fin_offset_);
}

void StreamReassembler::acknowledge(std::int64_t offset, const Delivery& delivery) {
  if (offset <= static_cast<std::int64_t>(acked_)) return;
  acked_ = static_cast<std::uint64_t>(offset);
  gap_on_ack(delivery);
}

void StreamReassembler::flush(const Delivery& delivery) {
  deliver_buffered(delivery);
  while (!buffer_.empty()) {
    gap_to(buffer_.front_offset(), delivery);
    deliver_buffered(delivery);
  }
  if (fin_seen_ && !fin_delivered_) {
    if (fin_offset_ > next_) gap_to(fin_offset_, delivery);
    deliver_fin_if_ready(delivery);
  }
}

void StreamReassembler::deliver(std::span<const std::uint8_t> data, const Delivery& delivery) {
  const std::uint64_t offset = next_;
  next_ += data.size();
  delivery.handler.on_data(delivery.side, data, offset, delivery.timestamp_ns);
}

void StreamReassembler::deliver_buffered(const Delivery& delivery) {
  while (!buffer_.empty() && buffer_.front_offset() == next_) {
    // The piece leaves the buffer before the handler runs: no iterator or
    // reference into the buffer lives across the call.
    SegmentBuffer::Piece piece = buffer_.pop_front();
    delivery.stats.buffered_bytes -= piece.bytes.size();
    deliver(piece.bytes, delivery);
  }
  assert(buffer_.empty() || buffer_.front_offset() > next_);
}

void StreamReassembler::deliver_fin_if_ready(const Delivery& delivery) {
  if (!fin_seen_ || fin_delivered_ || next_ != fin_offset_) return;
  fin_delivered_ = true;
  delivery.handler.on_fin(delivery.side, delivery.timestamp_ns);
}

void StreamReassembler::gap_to(std::uint64_t end, const Delivery& delivery) {
  assert(end > next_);
  const std::uint64_t offset = next_;
  const std::uint64_t length = end - next_;
  next_ = end;
  ++delivery.stats.gaps;
  delivery.stats.gap_bytes += length;
  delivery.handler.on_gap(delivery.side, offset, length, delivery.timestamp_ns);
}

void StreamReassembler::gap_on_ack(const Delivery& delivery) {
  // Only a hole with something waiting behind it (held bytes or the FIN) is
  // declared lost: without that, the bytes the ack covers may still show up
  // in order. An ack inside the hole is not enough either: the rest of the
  // hole may still be in flight.
  deliver_buffered(delivery);
  deliver_fin_if_ready(delivery);
  while (acked_ > next_) {
    std::uint64_t hole_end = 0;
    if (!buffer_.empty()) {
      hole_end = buffer_.front_offset();
    } else if (fin_seen_ && !fin_delivered_) {
      hole_end = fin_offset_;
    } else {
      break;
    }
    if (acked_ < hole_end) break;
    gap_to(hole_end, delivery);
    deliver_buffered(delivery);
    deliver_fin_if_ready(delivery);
  }
}

}  // namespace tlsring::tcp
