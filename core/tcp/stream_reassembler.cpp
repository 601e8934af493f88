#include "core/tcp/stream_reassembler.h"

#include <algorithm>
#include <cassert>

namespace tlsring::tcp {

void StreamReassembler::add(std::int64_t offset, std::span<const std::uint8_t> data, const Delivery& delivery) {
  std::int64_t begin = offset;
  std::int64_t end = offset + static_cast<std::int64_t>(data.size());
  if (fin_seen_) end = std::min(end, static_cast<std::int64_t>(fin_offset_));  // nothing follows a FIN
  if (skipping_) {
    add_skipped(begin, end, delivery);
    return;
  }
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

void StreamReassembler::add_skipped(std::int64_t begin, std::int64_t end, const Delivery& delivery) {
  begin = std::max<std::int64_t>(begin, 0);
  if (end <= begin) return;
  const auto next = static_cast<std::int64_t>(next_);
  if (begin < next) {
    const std::int64_t old_end = std::min(end, next);
    const std::uint64_t late = fill_holes(static_cast<std::uint64_t>(begin), static_cast<std::uint64_t>(old_end));
    delivery.stats.retransmitted_bytes += static_cast<std::uint64_t>(old_end - begin) - late;
  }
  if (end <= next) return;
  if (begin > next) open_hole(next_, static_cast<std::uint64_t>(begin), delivery);
  const auto fresh = static_cast<std::uint64_t>(end - next);
  skipped_ += fresh;
  delivery.stats.skipped_bytes += fresh;
  last_skipped_ns_ = std::max(last_skipped_ns_, delivery.timestamp_ns);
  next_ = static_cast<std::uint64_t>(end);
}

// Holes while skipping: ranges never seen, in order. A late segment fills
// them (it was reordered, not lost); what is left becomes gaps at the FIN or
// the close, as it would have while reassembling.
void StreamReassembler::open_hole(std::uint64_t begin, std::uint64_t end, const Delivery& delivery) {
  constexpr std::size_t kMaxHoles = 64;  // bounds memory: past it, the oldest is declared lost at once
  holes_.push_back({begin, end});
  if (holes_.size() > kMaxHoles) {
    report_gap(holes_.front().begin, holes_.front().end, delivery);
    holes_.erase(holes_.begin());
  }
}

std::uint64_t StreamReassembler::fill_holes(std::uint64_t begin, std::uint64_t end) {
  std::uint64_t filled = 0;
  std::vector<Hole> kept;
  for (const Hole& hole : holes_) {
    const std::uint64_t from = std::max(hole.begin, begin);
    const std::uint64_t to = std::min(hole.end, end);
    if (from >= to) {
      kept.push_back(hole);
      continue;
    }
    filled += to - from;
    if (hole.begin < from) kept.push_back({hole.begin, from});
    if (to < hole.end) kept.push_back({to, hole.end});
  }
  if (filled > 0) holes_.swap(kept);
  return filled;
}

void StreamReassembler::declare_holes(const Delivery& delivery) {
  for (const Hole& hole : holes_) report_gap(hole.begin, hole.end, delivery);
  holes_.clear();
}

void StreamReassembler::report_gap(std::uint64_t begin, std::uint64_t end, const Delivery& delivery) {
  ++delivery.stats.gaps;
  delivery.stats.gap_bytes += end - begin;
  delivery.handler.on_gap(delivery.side, begin, end - begin, delivery.timestamp_ns);
}

// Skipping: nothing before the FIN is awaited any more.
void StreamReassembler::deliver_skipped_fin(const Delivery& delivery) {
  declare_holes(delivery);
  if (fin_offset_ > next_) {
    report_gap(next_, fin_offset_, delivery);
    skipped_ += fin_offset_ - next_;
    delivery.stats.skipped_bytes += fin_offset_ - next_;
    next_ = fin_offset_;
  }
  deliver_fin(delivery);
}

void StreamReassembler::set_fin(std::int64_t offset, const Delivery& delivery) {
  // A FIN before bytes already delivered contradicts the stream: ignore it.
  if (fin_seen_ || offset < static_cast<std::int64_t>(next_)) return;
  fin_seen_ = true;
  fin_offset_ = static_cast<std::uint64_t>(offset);
  delivery.stats.buffered_bytes -= buffer_.truncate(fin_offset_);
  if (skipping_) deliver_skipped_fin(delivery);
}

void StreamReassembler::skip_bytes(const Delivery& delivery) {
  if (skipping_) return;
  skipping_ = true;
  delivery.stats.buffered_bytes -= buffer_.bytes();
  // Held bytes lie past a hole: they are passed over, the hole stays one.
  while (!buffer_.empty()) {
    const SegmentBuffer::Piece piece = buffer_.pop_front();
    add_skipped(static_cast<std::int64_t>(piece.offset),
                static_cast<std::int64_t>(piece.offset + piece.bytes.size()), delivery);
  }
  if (fin_seen_ && !fin_delivered_) deliver_skipped_fin(delivery);
}

void StreamReassembler::acknowledge(std::int64_t offset, const Delivery& delivery) {
  if (skipping_ || offset <= static_cast<std::int64_t>(acked_)) return;
  acked_ = static_cast<std::uint64_t>(offset);
  gap_on_ack(delivery);
}

void StreamReassembler::flush(const Delivery& delivery) {
  if (skipping_) {
    declare_holes(delivery);
    if (skipped_ > 0) delivery.handler.on_bytes_skipped(delivery.side, skipped_, last_skipped_ns_);
    return;
  }
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
  deliver_fin(delivery);
}

void StreamReassembler::deliver_fin(const Delivery& delivery) {
  fin_delivered_ = true;
  delivery.handler.on_fin(delivery.side, delivery.timestamp_ns);
}

void StreamReassembler::gap_to(std::uint64_t end, const Delivery& delivery) {
  assert(end > next_);
  const std::uint64_t offset = next_;
  next_ = end;
  report_gap(offset, end, delivery);
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
