#include "core/bytes/byte_reader.h"

#include <array>
#include <catch2/catch.hpp>

using tlsring::ByteReader;

TEST_CASE("ByteReader reads big- and little-endian fields and stops at the end") {
  const std::array<std::uint8_t, 9> data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  ByteReader r(data);
  CHECK(*r.u8() == 0x01);
  CHECK(*r.u16be() == 0x0203);
  CHECK(*r.u24be() == 0x040506);
  CHECK(*r.u16le() == 0x0807);
  CHECK(r.remaining() == 1);
  CHECK_FALSE(r.u16be().has_value());
  CHECK(r.offset() == 8);  // a failed read does not move the cursor
  CHECK(*r.u8() == 0x09);
  CHECK(r.empty());
  CHECK_FALSE(r.u8().has_value());
}

TEST_CASE("ByteReader length_prefixed restores the cursor when the body is short") {
  const std::array<std::uint8_t, 4> short_body{0x00, 0x05, 0xaa, 0xbb};
  ByteReader r(short_body);
  CHECK_FALSE(r.length_prefixed(2).has_value());
  CHECK(r.offset() == 0);

  const std::array<std::uint8_t, 5> ok_body{0x03, 0xaa, 0xbb, 0xcc, 0xdd};
  ByteReader ok(ok_body);
  auto body = ok.length_prefixed(1);
  REQUIRE(body.has_value());
  CHECK(body->size() == 3);
  CHECK((*body)[2] == 0xcc);
  CHECK(ok.remaining() == 1);
}
