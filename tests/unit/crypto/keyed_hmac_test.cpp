// KeyedHmac against the published HMAC test vectors: RFC 2202 (MD5, SHA-1)
// and RFC 4231 (SHA-256, SHA-384), each also checked with
//   printf 'DATA' | openssl dgst -DIGEST -mac HMAC -macopt hexkey:KEY
#include <catch2/catch.hpp>

#include <string_view>

#include "core/crypto/keyed_hmac.h"
#include "test_bytes.h"

using namespace tlsring::crypto;
using namespace tlsring::crypto::test;

namespace {

std::span<const std::uint8_t> text(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hmac_hex(const KeyedHmac& hmac, std::initializer_list<std::span<const std::uint8_t>> parts) {
  Bytes out(hmac.length());
  hmac.compute(parts, out.data());
  return to_hex(out);
}

KeyedHmac keyed(MacAlgorithm digest, std::span<const std::uint8_t> key) {
  auto made = KeyedHmac::create(digest, key);
  REQUIRE(made.ok());
  return std::move(*made);
}

}  // namespace

TEST_CASE("KeyedHmac: RFC 2202 and RFC 4231 test case 2 (key \"Jefe\")", "[crypto][hmac]") {
  const auto data = text("what do ya want for nothing?");
  struct Case {
    MacAlgorithm digest;
    const char* expected;
  };
  for (const Case& c : {Case{MacAlgorithm::md5, "750c783e6ab0b503eaa86e310a5db738"},
                        Case{MacAlgorithm::sha1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
                        Case{MacAlgorithm::sha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
                        Case{MacAlgorithm::sha384,
                             "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab2"
                             "1649"}}) {
    const KeyedHmac hmac = keyed(c.digest, text("Jefe"));
    CHECK(hmac_hex(hmac, {data}) == c.expected);
    // The same key state serves every message, and the parts are one message.
    CHECK(hmac_hex(hmac, {data.first(7), {}, data.subspan(7)}) == c.expected);
    CHECK(hmac_hex(hmac, {data}) == c.expected);
  }
  CHECK_FALSE(KeyedHmac::create(MacAlgorithm::aead, text("Jefe")).ok());
}

TEST_CASE("KeyedHmac: RFC 4231 test case 6, a key longer than the hash block", "[crypto][hmac]") {
  const Bytes key(131, 0xaa);
  const auto data = text("Test Using Larger Than Block-Size Key - Hash Key First");
  CHECK(hmac_hex(keyed(MacAlgorithm::sha256, key), {data}) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(hmac_hex(keyed(MacAlgorithm::sha384, key), {data}) ==
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");
}
