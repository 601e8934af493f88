#include "core/tcp/segment_buffer.h"

#include <algorithm>
#include <cassert>
#include <iterator>

namespace tlsring::tcp {
namespace {

std::uint64_t end_of(const std::pair<const std::uint64_t, std::vector<std::uint8_t>>& piece) {
  return piece.first + piece.second.size();
}

// Calls fn(begin, end, next) for each maximal sub-range of [begin, end) that no
// piece covers, in order; `next` is the first piece after that sub-range (the
// insertion hint). Shared by new_bytes() and insert() so both agree exactly.
template <class MapT, class Fn>
void for_each_uncovered(MapT& pieces, std::uint64_t begin, std::uint64_t end, Fn&& fn) {
  auto it = pieces.upper_bound(begin);
  std::uint64_t pos = begin;
  if (it != pieces.begin()) pos = std::max(pos, end_of(*std::prev(it)));
  while (pos < end) {
    const std::uint64_t stop = it == pieces.end() ? end : std::min(end, it->first);
    if (pos < stop) fn(pos, stop, it);
    if (it == pieces.end()) break;
    pos = std::max(pos, end_of(*it));
    ++it;
  }
}

}  // namespace

std::uint64_t SegmentBuffer::front_offset() const {
  assert(!pieces_.empty());
  return pieces_.begin()->first;
}

std::uint64_t SegmentBuffer::new_bytes(std::uint64_t offset, std::uint64_t length) const {
  std::uint64_t count = 0;
  for_each_uncovered(pieces_, offset, offset + length,
                     [&](std::uint64_t begin, std::uint64_t end, auto) { count += end - begin; });
  return count;
}

std::uint64_t SegmentBuffer::insert(std::uint64_t offset, std::span<const std::uint8_t> data) {
  std::uint64_t added = 0;
  for_each_uncovered(pieces_, offset, offset + data.size(),
                     [&](std::uint64_t begin, std::uint64_t end, Map::iterator next) {
                       added += insert_range(next, begin, data.subspan(begin - offset, end - begin));
                     });
  bytes_ += added;
  return added;
}

std::uint64_t SegmentBuffer::insert_range(Map::iterator next, std::uint64_t begin,
                                          std::span<const std::uint8_t> bytes) {
  // Extending the piece just before keeps contiguous runs in one piece: fewer
  // map nodes, one on_data() per run. Only appends, never prepends, so a
  // stream arriving backwards costs a node per segment but never a quadratic copy.
  if (next != pieces_.begin()) {
    auto before = std::prev(next);
    if (end_of(*before) == begin) {
      before->second.insert(before->second.end(), bytes.begin(), bytes.end());
      return bytes.size();
    }
  }
  pieces_.emplace_hint(next, begin, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  return bytes.size();
}

SegmentBuffer::Piece SegmentBuffer::pop_front() {
  assert(!pieces_.empty());
  auto node = pieces_.extract(pieces_.begin());
  bytes_ -= node.mapped().size();
  return Piece{node.key(), std::move(node.mapped())};
}

std::uint64_t SegmentBuffer::truncate(std::uint64_t end) {
  std::uint64_t dropped = 0;
  auto first_after = pieces_.lower_bound(end);
  for (auto it = first_after; it != pieces_.end(); ++it) dropped += it->second.size();
  pieces_.erase(first_after, pieces_.end());
  if (!pieces_.empty()) {
    auto& last = *std::prev(pieces_.end());
    if (end_of(last) > end) {
      dropped += end_of(last) - end;
      last.second.resize(end - last.first);
    }
  }
  bytes_ -= dropped;
  return dropped;
}

}  // namespace tlsring::tcp
