// SegmentBuffer: the out-of-order bytes of one stream direction, copied and
// kept sorted by stream offset, never overlapping. The first copy of a byte
// wins: inserting bytes that are already held stores only the uncovered parts.
// Bytes that extend a held piece are appended to it, so a run of segments
// behind one hole becomes one piece.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace tlsring::tcp {

class SegmentBuffer {
 public:
  struct Piece {
    std::uint64_t offset = 0;
    std::vector<std::uint8_t> bytes;
  };

  bool empty() const { return pieces_.empty(); }
  std::uint64_t bytes() const { return bytes_; }           // bytes held
  std::size_t piece_count() const { return pieces_.size(); }
  std::uint64_t front_offset() const;                      // precondition: !empty()

  // How many of the `length` bytes at `offset` are not held yet.
  std::uint64_t new_bytes(std::uint64_t offset, std::uint64_t length) const;
  // Stores the bytes of `data` (at `offset`) not held yet; returns how many.
  std::uint64_t insert(std::uint64_t offset, std::span<const std::uint8_t> data);
  // Removes and returns the piece with the lowest offset. Precondition: !empty().
  Piece pop_front();
  // Drops every byte at or after `end`; returns how many.
  std::uint64_t truncate(std::uint64_t end);

 private:
  using Map = std::map<std::uint64_t, std::vector<std::uint8_t>>;

  std::uint64_t insert_range(Map::iterator next, std::uint64_t begin, std::span<const std::uint8_t> bytes);

  Map pieces_;
  std::uint64_t bytes_ = 0;
};

}  // namespace tlsring::tcp
