// parse_thumbprint and the store names, on the ways people paste them.
#include <catch2/catch.hpp>

#include <string>

#include "config/thumbprint.h"

using tlsring::config::CertificateStoreName;
using tlsring::config::format_certificate_store_name;
using tlsring::config::format_thumbprint;
using tlsring::config::parse_certificate_store_name;
using tlsring::config::parse_thumbprint;
using tlsring::config::Thumbprint;

namespace {

// The bytes written out by hand; the texts below spell the same 20 bytes.
constexpr Thumbprint kExpected = {0xA9, 0x4F, 0x2C, 0x01, 0x7E, 0xD3, 0x55, 0x90, 0x0B, 0xC8,
                                  0x61, 0x3A, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};
const std::string kLeftToRightMark = "\xE2\x80\x8E";  // U+200E, what certlm.msc's Details tab copies in front
const std::string kNoBreakSpace = "\xC2\xA0";

}  // namespace

TEST_CASE("thumbprint: the forms people copy parse to the same bytes") {
  const std::string text = GENERATE(
      std::string("A94F2C017ED355900BC8613AFF00123456789ABC"),                        // PowerShell
      std::string("a94f2c017ed355900bc8613aff00123456789abc"),                        // lowercase
      std::string("a9 4f 2c 01 7e d3 55 90 0b c8 61 3a ff 00 12 34 56 78 9a bc"),     // certlm.msc, old
      kLeftToRightMark + "a9 4f 2c 01 7e d3 55 90 0b c8 61 3a ff 00 12 34 56 78 9a bc",  // certlm.msc
      std::string("A9:4F:2C:01:7E:D3:55:90:0B:C8:61:3A:FF:00:12:34:56:78:9A:BC"),     // openssl style
      "  A94F2C017ED3" + kNoBreakSpace + "55900BC8613AFF00123456789ABC\r\n",          // from a document
      "\tA94F2C017ED355900BC8" + kLeftToRightMark + "613AFF00123456789ABC ");
  auto parsed = parse_thumbprint(text);
  INFO(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == kExpected);
}

TEST_CASE("thumbprint: formatted as 40 uppercase digits and read back") {
  CHECK(format_thumbprint(kExpected) == "A94F2C017ED355900BC8613AFF00123456789ABC");
  auto parsed = parse_thumbprint(format_thumbprint(kExpected));
  REQUIRE(parsed.ok());
  CHECK(*parsed == kExpected);
}

TEST_CASE("thumbprint: a digit missing or extra says how many there are") {
  auto short_one = parse_thumbprint("A94F2C017ED355900BC8613AFF00123456789A");  // 38
  REQUIRE_FALSE(short_one.ok());
  CHECK_THAT(short_one.error().message, Catch::Contains("38 hexadecimal digits") && Catch::Contains("40"));
  auto long_one = parse_thumbprint("A94F2C017ED355900BC8613AFF00123456789ABCD");  // 41
  REQUIRE_FALSE(long_one.ok());
  CHECK_THAT(long_one.error().message, Catch::Contains("41 hexadecimal digits"));
}

TEST_CASE("thumbprint: a SHA-256 hash is recognised as such") {
  auto parsed = parse_thumbprint(std::string(64, 'a'));
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.error().message, Catch::Contains("64") && Catch::Contains("SHA-256"));
}

TEST_CASE("thumbprint: a character that is no hex digit is named with its position") {
  auto letter = parse_thumbprint("A94F2CG17ED355900BC8613AFF00123456789ABC");
  REQUIRE_FALSE(letter.ok());
  CHECK_THAT(letter.error().message, Catch::Contains("'G' at character 7"));
  // The position counts characters, not bytes: U+200E is one character.
  auto accented = parse_thumbprint(kLeftToRightMark + "A9\xC3\xA9" "4F");
  REQUIRE_FALSE(accented.ok());
  CHECK_THAT(accented.error().message, Catch::Contains("U+00E9 at character 4"));
  auto dash = parse_thumbprint("A9-4F");
  REQUIRE_FALSE(dash.ok());
  CHECK_THAT(dash.error().message, Catch::Contains("'-' at character 3"));
}

TEST_CASE("thumbprint: bytes that are not UTF-8 are refused") {
  auto parsed = parse_thumbprint("A9\xFF" "4F");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.error().message, Catch::Contains("0xFF") && Catch::Contains("not valid UTF-8"));
  auto truncated = parse_thumbprint("A9\xE2\x80");  // a cut U+200E
  REQUIRE_FALSE(truncated.ok());
  CHECK_THAT(truncated.error().message, Catch::Contains("0xE2 at character 3"));
}

TEST_CASE("thumbprint: nothing but invisible characters is empty") {
  auto parsed = parse_thumbprint(kLeftToRightMark + " : ");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.error().message, Catch::Contains("empty") && Catch::Contains("certlm.msc"));
}

TEST_CASE("certificate store names: location and store") {
  using Location = CertificateStoreName::Location;
  struct Case {
    std::string text;
    Location location;
    std::string store;
  };
  const Case cases[] = {
      {"LocalMachine\\My", Location::local_machine, "My"},
      {"localmachine/my", Location::local_machine, "my"},
      {"CurrentUser\\My", Location::current_user, "My"},
      {"Cert:\\LocalMachine\\WebHosting", Location::local_machine, "WebHosting"},
      {"My", Location::local_machine, "My"},
      {"LocalMachine\\Remote Desktop", Location::local_machine, "Remote Desktop"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto parsed = parse_certificate_store_name(c.text);
    REQUIRE(parsed.ok());
    CHECK(parsed->location == c.location);
    CHECK(parsed->store == c.store);
  }
  CHECK(format_certificate_store_name(CertificateStoreName{}) == "LocalMachine\\My");
  CHECK(format_certificate_store_name({Location::current_user, "Root"}) == "CurrentUser\\Root");
}

TEST_CASE("certificate store names: errors say what to write") {
  auto location = parse_certificate_store_name("Machine\\My");
  REQUIRE_FALSE(location.ok());
  CHECK_THAT(location.error().message, Catch::Contains("'Machine'") && Catch::Contains("LocalMachine\\My"));
  auto empty = parse_certificate_store_name("LocalMachine\\");
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains("no store name"));
  auto nested = parse_certificate_store_name("LocalMachine\\My\\Sub");
  REQUIRE_FALSE(nested.ok());
  CHECK_THAT(nested.error().message, Catch::Contains("'My\\Sub' is not a store name"));
}
