#include "core/output/transcript_format.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using tlsring::output::append_hex_dump;
using tlsring::output::append_transcript_entry;
using tlsring::output::format_utc_timestamp;
using tlsring::output::is_printable_text;

namespace {

std::vector<std::uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }

}  // namespace

TEST_CASE("format_utc_timestamp: ISO 8601 UTC with nanoseconds") {
  // Expected values from `date -u -d @SECONDS +%Y-%m-%dT%H:%M:%S`.
  CHECK(format_utc_timestamp(0) == "1970-01-01T00:00:00.000000000Z");
  CHECK(format_utc_timestamp(1700000000123456789LL) == "2023-11-14T22:13:20.123456789Z");
  CHECK(format_utc_timestamp(1700000001000000001LL) == "2023-11-14T22:13:21.000000001Z");
  CHECK(format_utc_timestamp(1700000000123456789LL) == "2023-11-14T22:13:20.123456789Z");  // cached second again
  CHECK(format_utc_timestamp(-1) == "1969-12-31T23:59:59.999999999Z");
}

TEST_CASE("is_printable_text: ASCII text, tabs and line ends, UTF-8, not control bytes or bad UTF-8") {
  CHECK(is_printable_text(bytes("")));
  CHECK(is_printable_text(bytes("EventEstablished\r\n\tAttributeThisDN\t'7532'\n")));
  CHECK(is_printable_text(bytes("caf\xc3\xa9 \xe2\x82\xac 100 \xf0\x9f\x98\x80 end of a longer line")));
  // Control bytes and DEL, at every position of an 8-byte word.
  for (std::size_t at = 0; at < 17; ++at) {
    for (char bad : {'\x00', '\x01', '\x1b', '\x7f'}) {
      std::string text(17, 'a');
      text[at] = bad;
      INFO("byte " << int(bad) << " at " << at);
      CHECK_FALSE(is_printable_text(bytes(text)));
    }
    std::string high(17, 'a');
    high[at] = '\xff';
    CHECK_FALSE(is_printable_text(bytes(high)));
  }
  CHECK_FALSE(is_printable_text(bytes("abc\xc3")));          // cut-off sequence
  CHECK_FALSE(is_printable_text(bytes("abc\xc0\xaf xyz")));  // overlong lead byte
  CHECK_FALSE(is_printable_text(bytes("abc\xe2\x28\xa1")));  // bad continuation
}

TEST_CASE("append_hex_dump: offset, 16 bytes a line in two groups, ASCII column") {
  std::string out;
  append_hex_dump(out, bytes(std::string("GET / HTTP/1.1\r\nHost: x\r\n", 25)));
  CHECK(out ==
        "00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|\n"
        "00000010  48 6f 73 74 3a 20 78 0d  0a                       |Host: x..|\n");
}

TEST_CASE("append_transcript_entry: text as text, long binary in part with its place in the .bin file") {
  std::string text;
  append_transcript_entry(text, 1700000000000000000LL, tlsring::decrypt::Direction::client_to_server,
                          bytes("RequestRegisterAddress"));
  CHECK(text == "2023-11-14T22:13:20.000000000Z  client -> server  22 bytes (text)\nRequestRegisterAddress\n\n");

  std::vector<std::uint8_t> binary(3000, 0x00);
  std::string dump;
  append_transcript_entry(dump, 1700000000000000000LL, tlsring::decrypt::Direction::server_to_client, binary,
                          {"000007-a-b.s2c.bin", 4096});
  CHECK_THAT(dump, Catch::StartsWith("2023-11-14T22:13:20.000000000Z  server -> client  3000 bytes (binary)\n"
                                     "00000000  00 00"));
  CHECK_THAT(dump, Catch::Contains("000003f0  00"));          // the 64th line: 1 KiB shown
  CHECK_THAT(dump, !Catch::Contains("00000400  "));           // and no more
  CHECK_THAT(dump, Catch::Contains("... 1976 more bytes (the whole record is at offset 4096 of 000007-a-b.s2c.bin)"));
}
