#include "core/tcp/segment_buffer.h"

#include <catch2/catch.hpp>
#include <string>

using tlsring::tcp::SegmentBuffer;

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

}  // namespace

TEST_CASE("SegmentBuffer keeps the first copy of each byte and appends runs") {
  SegmentBuffer buffer;
  CHECK(buffer.empty());
  const std::string a(10, 'a');   // [10, 20)
  const std::string b(15, 'b');   // [15, 30): only [20, 30) is new
  CHECK(buffer.new_bytes(10, 10) == 10);
  CHECK(buffer.insert(10, bytes_of(a)) == 10);
  CHECK(buffer.new_bytes(15, 15) == 10);
  CHECK(buffer.new_bytes(5, 30) == 20);   // [5, 10) and [20, 35)
  CHECK(buffer.new_bytes(12, 5) == 0);
  CHECK(buffer.insert(15, bytes_of(b)) == 10);
  CHECK(buffer.bytes() == 20);
  CHECK(buffer.piece_count() == 1);       // [20, 30) extended [10, 20)

  CHECK(buffer.insert(0, bytes_of("01234")) == 5);  // [0, 5): before, not prepended
  CHECK(buffer.piece_count() == 2);
  CHECK(buffer.insert(3, bytes_of("xxXYZWVxx")) == 5);  // [3, 12): only [5, 10) is new
  CHECK(buffer.piece_count() == 2);
  CHECK(buffer.front_offset() == 0);
  CHECK(buffer.bytes() == 30);

  CHECK(buffer.truncate(25) == 5);
  CHECK(buffer.bytes() == 25);

  SegmentBuffer::Piece first = buffer.pop_front();
  CHECK(first.offset == 0);
  CHECK(text(first.bytes) == "01234XYZWV");
  SegmentBuffer::Piece second = buffer.pop_front();
  CHECK(second.offset == 10);
  CHECK(text(second.bytes) == "aaaaaaaaaabbbbb");
  CHECK(buffer.empty());
  CHECK(buffer.bytes() == 0);
}

TEST_CASE("SegmentBuffer fills holes between pieces and truncates whole pieces") {
  SegmentBuffer buffer;
  CHECK(buffer.insert(100, bytes_of("CCCC")) == 4);  // [100, 104)
  CHECK(buffer.insert(0, bytes_of("AAAA")) == 4);    // [0, 4)
  CHECK(buffer.insert(50, bytes_of("BBBB")) == 4);   // [50, 54)
  // [2, 102): new bytes are [4, 50) and [54, 100).
  const std::string wide(100, 'z');
  CHECK(buffer.new_bytes(2, 100) == 46 + 46);
  CHECK(buffer.insert(2, bytes_of(wide)) == 92);
  CHECK(buffer.bytes() == 104);
  CHECK(buffer.truncate(60) == 44);  // drops [60, 104), including the piece at 100
  CHECK(buffer.bytes() == 60);
  std::string all;
  std::uint64_t expected_offset = 0;
  while (!buffer.empty()) {
    SegmentBuffer::Piece piece = buffer.pop_front();
    CHECK(piece.offset == expected_offset);
    expected_offset += piece.bytes.size();
    all += text(piece.bytes);
  }
  CHECK(all == "AAAA" + std::string(46, 'z') + "BBBB" + std::string(6, 'z'));
}
