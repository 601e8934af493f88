#include "core/tls/record.h"

#include <catch2/catch.hpp>
#include <tuple>
#include <vector>

#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

TEST_CASE("parse_record asks for exactly the missing header and fragment bytes") {
  // Handshake record, TLS 1.0 record version, 5-byte fragment.
  const ByteVec record = {0x16, 0x03, 0x01, 0x00, 0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  for (std::size_t size = 0; size < kRecordHeaderSize; ++size) {
    RecordParse r = parse_record(ByteView(record).first(size));
    CHECK(r.status == ParseStatus::need_more);
    CHECK(r.needed == kRecordHeaderSize - size);
  }
  for (std::size_t size = kRecordHeaderSize; size < record.size(); ++size) {
    RecordParse r = parse_record(ByteView(record).first(size));
    CHECK(r.status == ParseStatus::need_more);
    CHECK(r.needed == record.size() - size);
  }
  ByteVec two_records = record;
  two_records.insert(two_records.end(), {0x17, 0x03, 0x03, 0x00, 0x00});
  RecordParse r = parse_record(two_records);
  REQUIRE(r.status == ParseStatus::ok);
  CHECK(r.consumed == 10);
  CHECK(r.header.content_type == kHandshake);
  CHECK(r.header.version == 0x0301);
  CHECK(r.header.length == 5);
  CHECK(to_vec(r.fragment) == ByteVec{0xaa, 0xbb, 0xcc, 0xdd, 0xee});
}

TEST_CASE("parse_record accepts an empty fragment") {
  // An empty application-data record, as OpenSSL sends before CBC records (dhe1 capture).
  const ByteVec record = {0x17, 0x03, 0x01, 0x00, 0x00};
  RecordParse r = parse_record(record);
  REQUIRE(r.status == ParseStatus::ok);
  CHECK(r.consumed == 5);
  CHECK(r.fragment.empty());
}

TEST_CASE("parse_record rejects unknown content types") {
  for (std::uint8_t type : {0x00, 0x13, 0x19, 0x80, 0xff}) {
    const ByteVec record = {type, 0x03, 0x01, 0x00, 0x01, 0x00};
    CHECK(parse_record(record).status == ParseStatus::invalid);
    // Judged from the first byte alone.
    CHECK(parse_record(ByteView(record).first(1)).status == ParseStatus::invalid);
  }
  for (std::uint8_t type : {20, 21, 22, 23, 24}) {
    const ByteVec record = {type, 0x03, 0x03, 0x00, 0x01, 0x00};
    CHECK(parse_record(record).status == ParseStatus::ok);
  }
}

TEST_CASE("parse_record rejects a major version other than 3") {
  for (std::uint16_t version : {0x0002, 0x0200, 0x0403, 0xfeff}) {
    const ByteVec record = {0x16, static_cast<std::uint8_t>(version >> 8), static_cast<std::uint8_t>(version), 0x00, 0x00};
    CHECK(parse_record(record).status == ParseStatus::invalid);
    CHECK(parse_record(ByteView(record).first(2)).status == ParseStatus::invalid);
  }
  // 3.0 (SSL 3.0) .. 3.4 all have major 3.
  for (std::uint8_t minor : {0, 1, 2, 3, 4}) {
    const ByteVec record = {0x15, 0x03, minor, 0x00, 0x00};
    CHECK(parse_record(record).status == ParseStatus::ok);
  }
}

TEST_CASE("parse_record rejects a fragment longer than 2^14 + 2048") {
  // 0x4800 = 18432 = 2^14 + 2048: the largest allowed; header only, so it waits.
  const ByteVec largest = {0x17, 0x03, 0x03, 0x48, 0x00};
  RecordParse r = parse_record(largest);
  CHECK(r.status == ParseStatus::need_more);
  CHECK(r.needed == 18432);
  const ByteVec too_long = {0x17, 0x03, 0x03, 0x48, 0x01};
  CHECK(parse_record(too_long).status == ParseStatus::invalid);
  const ByteVec way_too_long = {0x17, 0x03, 0x03, 0xff, 0xff};
  CHECK(parse_record(way_too_long).status == ParseStatus::invalid);
}

TEST_CASE("parse_record splits a real SSL 3.0 server flight into its records") {
  // rsasnakeoil2 frame 6: three handshake records of 0x4a, 0x344 and 4 bytes.
  const ByteVec payload = hex(kRsaSnakeoil2Frame6ServerFlight);
  REQUIRE(payload.size() == 929);
  ByteView rest(payload);
  std::vector<std::size_t> lengths;
  while (!rest.empty()) {
    RecordParse r = parse_record(rest);
    REQUIRE(r.status == ParseStatus::ok);
    CHECK(r.header.content_type == kHandshake);
    CHECK(r.header.version == 0x0300);
    lengths.push_back(r.header.length);
    rest = rest.subspan(r.consumed);
  }
  CHECK(lengths == std::vector<std::size_t>{0x4a, 0x344, 0x04});
}

TEST_CASE("looks_like_sslv2_client_hello recognises the rsasnakeoil2 SSLv2 ClientHello") {
  const ByteVec payload = hex(kRsaSnakeoil2Frame4SslV2ClientHello);
  CHECK(looks_like_sslv2_client_hello(payload));
  // A TLS record does not look like one.
  CHECK_FALSE(looks_like_sslv2_client_hello(hex(kDmgrFrame4ClientHello)));
  // Too short to tell.
  CHECK_FALSE(looks_like_sslv2_client_hello(ByteView(payload).first(4)));
  // SERVER-HELLO (type 4) instead of CLIENT-HELLO.
  ByteVec other_type = payload;
  other_type[2] = 0x04;
  CHECK_FALSE(looks_like_sslv2_client_hello(other_type));
  // Versions: 0x0002 (SSL 2.0) and 0x0300..0x0303 pass; 0x0304 and 0x0001 do not.
  ByteVec version = payload;
  for (auto [major, minor, expected] : std::vector<std::tuple<std::uint8_t, std::uint8_t, bool>>{
           {0x00, 0x02, true}, {0x03, 0x01, true}, {0x03, 0x03, true}, {0x03, 0x04, false}, {0x00, 0x01, false}}) {
    version[3] = major;
    version[4] = minor;
    CHECK(looks_like_sslv2_client_hello(version) == expected);
  }
  // High bit clear: a 3-byte header, which an SSLv2 client does not use for its hello.
  ByteVec three_byte = payload;
  three_byte[0] = 0x00;
  CHECK_FALSE(looks_like_sslv2_client_hello(three_byte));
}

TEST_CASE("parse_sslv2_record frames the rsasnakeoil2 SSLv2 ClientHello") {
  const ByteVec payload = hex(kRsaSnakeoil2Frame4SslV2ClientHello);
  // Header 0x8067: 2-byte header, 0x67 = 103 bytes of message.
  Sslv2RecordParse r = parse_sslv2_record(payload);
  REQUIRE(r.status == ParseStatus::ok);
  CHECK(r.consumed == 105);
  REQUIRE(r.body.size() == 103);
  CHECK(r.body[0] == 0x01);
  CHECK(r.body.data() == payload.data() + 2);

  CHECK(parse_sslv2_record(ByteView(payload).first(0)).needed == 2);
  for (std::size_t size = 1; size < payload.size(); ++size) {
    Sslv2RecordParse partial = parse_sslv2_record(ByteView(payload).first(size));
    CHECK(partial.status == ParseStatus::need_more);
    CHECK(partial.needed == (size < 2 ? 2 - size : 105 - size));
  }
}

TEST_CASE("parse_sslv2_record handles the 3-byte header with padding") {
  // 3-byte header: length 6 (14 bits), 2 bytes of padding at the end.
  const ByteVec padded = {0x00, 0x06, 0x02, 0x01, 0x02, 0x03, 0x04, 0xee, 0xee, 0x99};
  Sslv2RecordParse r = parse_sslv2_record(padded);
  REQUIRE(r.status == ParseStatus::ok);
  CHECK(r.consumed == 9);
  CHECK(to_vec(r.body) == ByteVec{0x01, 0x02, 0x03, 0x04});
  // Header incomplete: needs the third byte.
  Sslv2RecordParse partial = parse_sslv2_record(ByteView(padded).first(2));
  CHECK(partial.status == ParseStatus::need_more);
  CHECK(partial.needed == 1);
  // The "is escape" bit (0x40) is not part of the length.
  const ByteVec escape = {0x40, 0x01, 0x00, 0x01};
  Sslv2RecordParse e = parse_sslv2_record(escape);
  REQUIRE(e.status == ParseStatus::ok);
  CHECK(e.consumed == 4);
  // More padding than record, and an empty record, are not SSLv2 records.
  const ByteVec over_padded = {0x00, 0x02, 0x03, 0x01, 0x02};
  CHECK(parse_sslv2_record(over_padded).status == ParseStatus::invalid);
  const ByteVec empty = {0x80, 0x00};
  CHECK(parse_sslv2_record(empty).status == ParseStatus::invalid);
}
