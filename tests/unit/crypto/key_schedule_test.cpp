// Key schedule against published vectors (IETF TLS list PRF vectors, RFC 8448)
// and values computed independently with the openssl command-line tool; the
// exact command is next to each value. In the commands
//   M  = 0102...2f30 (48 bytes 0x01..0x30)    master secret
//   CR = 4041...5e5f (32 bytes 0x40..0x5f)    client random
//   SR = 8081...9e9f (32 bytes 0x80..0x9f)    server random
//   PM = 0303 a0a1...cccd (2 + 46 bytes)      pre-master secret
//   and a label "x" stands for its ASCII bytes in hex.
#include <catch2/catch.hpp>

#include <string>

#include "core/crypto/cipher_suite.h"
#include "core/crypto/key_schedule.h"
#include "test_bytes.h"

using namespace tlsring::crypto;
using namespace tlsring::crypto::test;

namespace {

Bytes counting(std::uint8_t first, std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

const Bytes kMaster = counting(0x01, 48);
const Bytes kClientRandom = counting(0x40, 32);
const Bytes kServerRandom = counting(0x80, 32);
Bytes pre_master() {
  Bytes pm = {0x03, 0x03};
  const Bytes rest = counting(0xa0, 46);
  pm.insert(pm.end(), rest.begin(), rest.end());
  return pm;
}

const CipherSuite& suite(std::uint16_t id) {
  const CipherSuite* s = find_cipher_suite(id);
  REQUIRE(s != nullptr);
  return *s;
}

Bytes value(const tlsring::Result<ByteVector>& r) {
  if (!r) FAIL(r.error().message);
  return r.ok() ? *r : Bytes{};
}

const Bytes kAbc = {'a', 'b', 'c'};

}  // namespace

TEST_CASE("TLS 1.2 PRF: the IETF TLS list test vectors (P_SHA256, P_SHA384)", "[crypto][prf]") {
  // Published on the IETF TLS mailing list; confirmed with
  // openssl kdf -keylen 100 -kdfopt digest:SHA256 -kdfopt hexsecret:9bbe436ba940f017b17652849a71db35
  //   -kdfopt hexseed:"test label"a0ba9f936cda311827a6f796ffd5198c TLS1-PRF
  const auto sha256 = tls_prf(0x0303, PrfHash::sha256, from_hex("9bbe436ba940f017b17652849a71db35"), "test label",
                              from_hex("a0ba9f936cda311827a6f796ffd5198c"), 100);
  CHECK(to_hex(value(sha256)) ==
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def"
        "17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66");
  // openssl kdf -keylen 148 -kdfopt digest:SHA384 -kdfopt hexsecret:b80b733d6ceefcdc71566ea48e5567df
  //   -kdfopt hexseed:"test label"cd665cf6a8447dd6ff8b27555edb7465 TLS1-PRF
  const auto sha384 = tls_prf(0x0303, PrfHash::sha384, from_hex("b80b733d6ceefcdc71566ea48e5567df"), "test label",
                              from_hex("cd665cf6a8447dd6ff8b27555edb7465"), 148);
  CHECK(to_hex(value(sha384)) ==
        "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed27"
        "00884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4"
        "f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f");
}

TEST_CASE("TLS 1.0/1.1 PRF: MD5 and SHA-1 halves", "[crypto][prf]") {
  // openssl kdf -keylen 100 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:9bbe436ba940f017b17652849a71db35
  //   -kdfopt hexseed:"test label"a0ba9f936cda311827a6f796ffd5198c TLS1-PRF
  const char* expected =
      "661740e6f98bc901efd2738502a71c03f76dd2f86298549b1148eff06714cf0f6b7c532cd8c69f1530e0bb680eec34c495fa75a8bfcc9c"
      "335484c0d3d194ab6e32975903c50ebcdbe9d67c0591bdbd80dddcc36d33ccd58adf96caae173f48dc40f983e2";
  for (std::uint16_t version : {0x0301, 0x0302}) {
    // The PRF hash of the suite does not matter before TLS 1.2.
    for (PrfHash hash : {PrfHash::sha256, PrfHash::sha384}) {
      const auto out = tls_prf(version, hash, from_hex("9bbe436ba940f017b17652849a71db35"), "test label",
                               from_hex("a0ba9f936cda311827a6f796ffd5198c"), 100);
      CHECK(to_hex(value(out)) == expected);
    }
  }
  CHECK_FALSE(tls_prf(0x0300, PrfHash::sha256, kMaster, "x", {}, 12).ok());
  CHECK_FALSE(tls_prf(0x0304, PrfHash::sha256, kMaster, "x", {}, 12).ok());
}

TEST_CASE("PRF edge cases: an odd-length secret split in two, a secret longer than the hash block",
          "[crypto][prf]") {
  // RFC 2246 §5: with an odd length, S1 and S2 share the middle byte.
  // openssl kdf -keylen 40 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:0102030405
  //   -kdfopt hexseed:"odd label"a0ba9f936cda3118 TLS1-PRF
  CHECK(to_hex(value(tls_prf(0x0301, PrfHash::sha256, from_hex("0102030405"), "odd label",
                             from_hex("a0ba9f936cda3118"), 40))) ==
        "d9fee423da0e21e4764cc918a4591aa3936c4c9105d18d27eee98a055fed1f529a9a8a7c625a4d4b");
  // RFC 2104 §2: a key longer than the block (200 bytes of 0xab here) is hashed first.
  // openssl kdf -keylen 40 -kdfopt digest:SHA256 -kdfopt hexsecret:abab...ab (100 bytes)
  //   -kdfopt hexseed:"long key"0011 TLS1-PRF
  CHECK(to_hex(value(tls_prf(0x0303, PrfHash::sha256, Bytes(100, 0xab), "long key", from_hex("0011"), 40))) ==
        "468577dcf9ccfb0f820f7c970765fd824834ece81ab14a9d7130856f5386625551fda96425cd0d41");
}

TEST_CASE("master secret and extended master secret", "[crypto][prf]") {
  const Bytes pm = pre_master();
  // openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:PM -kdfopt hexseed:"master secret"CR SR TLS1-PRF
  CHECK(to_hex(value(derive_master_secret(0x0303, suite(0x002F), pm, kClientRandom, kServerRandom))) ==
        "c57303976894968cfb9d3ccd53a56e25c8b778ee3f57e5cf163843c530805bb87dcdf53280d797a0de54ec890c25afe9");
  // Same with digest:MD5-SHA1.
  CHECK(to_hex(value(derive_master_secret(0x0301, suite(0x002F), pm, kClientRandom, kServerRandom))) ==
        "894c272a990a478bd5c338563043579967ed27ff1adf1993e7263e25a634ffb970a89b8f64ad47a2079aa60b15b41fd4");
  // openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:PM
  //   -kdfopt hexseed:"extended master secret"SHA256("abc") TLS1-PRF
  const Bytes session_hash = value(handshake_hash(0x0303, suite(0x002F), kAbc));
  CHECK(to_hex(value(derive_extended_master_secret(0x0303, suite(0x002F), pm, session_hash))) ==
        "27eaa92c0fd1d93fd539bb6720057f83e9132405898484f3491f95776cb8a29b6327efeda54a5b43595a8782245f3f07");

  CHECK_FALSE(derive_extended_master_secret(0x0300, suite(0x002F), pm, session_hash).ok());
  CHECK_FALSE(derive_master_secret(0x0304, suite(0x1301), pm, kClientRandom, kServerRandom).ok());
  CHECK_FALSE(derive_master_secret(0x0303, suite(0x002F), pm, Bytes(31), kServerRandom).ok());
  CHECK_FALSE(derive_master_secret(0x0303, suite(0x002F), {}, kClientRandom, kServerRandom).ok());
}

TEST_CASE("handshake hash: MD5 || SHA-1 before TLS 1.2, the PRF hash in TLS 1.2", "[crypto][prf]") {
  // FIPS 180 / RFC 1321 values for "abc".
  const char* md5_sha1 = "900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d";
  CHECK(to_hex(value(handshake_hash(0x0300, suite(0x0035), kAbc))) == md5_sha1);
  CHECK(to_hex(value(handshake_hash(0x0301, suite(0x0035), kAbc))) == md5_sha1);
  CHECK(to_hex(value(handshake_hash(0x0302, suite(0x009D), kAbc))) == md5_sha1);
  CHECK(to_hex(value(handshake_hash(0x0303, suite(0x0035), kAbc))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(value(handshake_hash(0x0303, suite(0x009D), kAbc))) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  CHECK(to_hex(value(tls13_transcript_hash(suite(0x1302), kAbc))) ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
}

TEST_CASE("key block split: client MAC, server MAC, client key, server key, client IV, server IV",
          "[crypto][prf]") {
  SECTION("TLS 1.2 TLS_RSA_WITH_AES_128_CBC_SHA: 20+20+16+16, no IVs") {
    // openssl kdf -keylen 72 -kdfopt digest:SHA256 -kdfopt hexsecret:M -kdfopt hexseed:"key expansion"SR CR TLS1-PRF
    const Bytes block = from_hex(
        "4556E871A6B66974570744F7B378AB8A114195B1BFF8344CAF197BAF2E704CC17F50218FEB9F9A8284C2BC9E4DC5536EE2A1B486DDB857"
        "07CCF001E685C53CFCA49EF7DE422A3B70");
    const auto keys = derive_connection_keys(0x0303, suite(0x002F), kMaster, kClientRandom, kServerRandom);
    REQUIRE(keys.ok());
    CHECK(keys->client_mac_key == Bytes(block.begin(), block.begin() + 20));
    CHECK(keys->server_mac_key == Bytes(block.begin() + 20, block.begin() + 40));
    CHECK(keys->client_key == Bytes(block.begin() + 40, block.begin() + 56));
    CHECK(keys->server_key == Bytes(block.begin() + 56, block.begin() + 72));
    CHECK(keys->client_iv.empty());
    CHECK(keys->server_iv.empty());
  }
  SECTION("TLS 1.0 TLS_RSA_WITH_AES_128_CBC_SHA: IVs from the key block") {
    // openssl kdf -keylen 104 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:M -kdfopt hexseed:"key expansion"SR CR TLS1-PRF
    const Bytes block = from_hex(
        "002FD834892C6089865FFC3DEF0F55829A3D60C337AE9D8598EA8E0CD81AF30E98B6D011D5959159D09952591D389FD818EA1BE7A6A4E5"
        "FB61401633B5D9AB08FC222CCC72FDE6A61BF27421BE23943941D9E736AE5344030F327DBE3C6BCA850E5EAFB96FD29F01");
    const auto keys = derive_connection_keys(0x0301, suite(0x002F), kMaster, kClientRandom, kServerRandom);
    REQUIRE(keys.ok());
    CHECK(keys->client_mac_key == Bytes(block.begin(), block.begin() + 20));
    CHECK(keys->server_mac_key == Bytes(block.begin() + 20, block.begin() + 40));
    CHECK(keys->client_key == Bytes(block.begin() + 40, block.begin() + 56));
    CHECK(keys->server_key == Bytes(block.begin() + 56, block.begin() + 72));
    CHECK(keys->client_iv == Bytes(block.begin() + 72, block.begin() + 88));
    CHECK(keys->server_iv == Bytes(block.begin() + 88, block.begin() + 104));
  }
  SECTION("TLS 1.2 TLS_RSA_WITH_AES_256_GCM_SHA384: no MAC keys, 4-byte salts, SHA-384 PRF") {
    // openssl kdf -keylen 72 -kdfopt digest:SHA384 -kdfopt hexsecret:M -kdfopt hexseed:"key expansion"SR CR TLS1-PRF
    const Bytes block = from_hex(
        "FCF5B86AB811C77A9DEC47641FA556EE3F7CC8F287E8089AFF88069F92BCA5EAF04458ED7A3FCA37899B797CD6542468C3D32FD5AF20EF"
        "1FCF8E8CD89233BB222FEF5AA7ADFCA1BA");
    const auto keys = derive_connection_keys(0x0303, suite(0x009D), kMaster, kClientRandom, kServerRandom);
    REQUIRE(keys.ok());
    CHECK(keys->client_mac_key.empty());
    CHECK(keys->server_mac_key.empty());
    CHECK(keys->client_key == Bytes(block.begin(), block.begin() + 32));
    CHECK(keys->server_key == Bytes(block.begin() + 32, block.begin() + 64));
    CHECK(keys->client_iv == Bytes(block.begin() + 64, block.begin() + 68));
    CHECK(keys->server_iv == Bytes(block.begin() + 68, block.begin() + 72));
  }
  SECTION("refusals") {
    CHECK_FALSE(derive_connection_keys(0x0303, suite(0xC050), kMaster, kClientRandom, kServerRandom).ok());  // ARIA
    CHECK_FALSE(derive_connection_keys(0x0303, suite(0x002F), Bytes(47), kClientRandom, kServerRandom).ok());
  }
}

TEST_CASE("Finished verify_data, TLS 1.0 and 1.2", "[crypto][prf]") {
  // openssl kdf -keylen 12 -kdfopt digest:SHA256 -kdfopt hexsecret:M
  //   -kdfopt hexseed:"client finished"SHA256("abc") TLS1-PRF
  CHECK(to_hex(value(finished_verify_data(0x0303, suite(0x002F), kMaster, true, kAbc))) == "e0ffc277172dde6ec9fa5288");
  // openssl kdf -keylen 12 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:M
  //   -kdfopt hexseed:"server finished"MD5("abc")SHA1("abc") TLS1-PRF
  CHECK(to_hex(value(finished_verify_data(0x0301, suite(0x002F), kMaster, false, kAbc))) == "0a794ccf06b83aee351772a4");
  // SSL 3.0 Finished is 36 bytes (MD5 16 + SHA-1 20); its value is checked end
  // to end on rsasnakeoil2 (wireshark_fixture_test.cpp).
  CHECK(value(finished_verify_data(0x0300, suite(0x002F), kMaster, true, kAbc)).size() == 36);
  CHECK(value(finished_verify_data(0x0300, suite(0x002F), kMaster, true, kAbc)) !=
        value(finished_verify_data(0x0300, suite(0x002F), kMaster, false, kAbc)));
}

TEST_CASE("TLS 1.3 HKDF-Expand-Label and traffic keys: RFC 8448 section 3 (simple 1-RTT handshake)",
          "[crypto][tls13]") {
  const CipherSuite& aes128 = suite(0x1301);
  struct Vector {
    const char* what;
    const char* secret;
    const char* key;
    const char* iv;
  };
  const Vector vectors[] = {
      {"server handshake", "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
       "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"},
      {"client handshake", "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
       "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f"},
      {"server application", "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
       "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984"},
  };
  for (const Vector& v : vectors) {
    INFO(v.what);
    const auto keys = derive_tls13_traffic_keys(aes128, from_hex(v.secret));
    REQUIRE(keys.ok());
    CHECK(to_hex(keys->key) == v.key);
    CHECK(to_hex(keys->iv) == v.iv);
    // The same through the general function, as RFC 8448 prints it ("key info" 00 10 09 "tls13 key" 00).
    CHECK(to_hex(value(hkdf_expand_label(PrfHash::sha256, from_hex(v.secret), "key", {}, 16))) == v.key);
  }
  // RFC 8448: {server} "tls13 finished" expanded from the server handshake secret.
  CHECK(to_hex(value(hkdf_expand_label(PrfHash::sha256,
                                       from_hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"),
                                       "finished", {}, 32))) ==
        "008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8");
  CHECK_FALSE(hkdf_expand_label(PrfHash::sha256, kMaster, std::string(250, 'x'), {}, 16).ok());
}

TEST_CASE("TLS 1.3 HKDF-Expand-Label longer than one hash block", "[crypto][tls13]") {
  // Several HMAC blocks chained (RFC 5869 §2.3): no TLS 1.3 label needs them, but the function offers them.
  // openssl kdf -keylen 80 -kdfopt digest:SHA256 -kdfopt mode:EXPAND_ONLY -kdfopt hexkey:M
  //   -kdfopt hexinfo:005011"tls13 multi block"00 HKDF   (SHA384: -keylen 100, hexinfo:006411...)
  CHECK(to_hex(value(hkdf_expand_label(PrfHash::sha256, kMaster, "multi block", {}, 80))) ==
        "6f40d86f9c39998020c4e5e0608de3012992cf26a430d111f1797b0018103a9f52f4c039dab0d78d5563682d1dd7c901"
        "347d98efa9a324a3d4c90782384e9fe5bc882b94a0f45dbbc41464bc6e55695d");
  CHECK(to_hex(value(hkdf_expand_label(PrfHash::sha384, kMaster, "multi block", {}, 100))) ==
        "437d22337ac3147b332cfc4300303f6ebde2c95ff9cc89d14c81f8d7c199c966d377cecf01a44770baf1c281ce65d721"
        "197bf4c9a6aa4bc614338c132e666b5cef62b37006ed8d070b48897d1e521654442edd181bbd068cd2799e53c7ff455b"
        "9325cd5b");
}

TEST_CASE("TLS 1.3 KeyUpdate secret and Finished HMAC", "[crypto][tls13]") {
  const CipherSuite& aes128 = suite(0x1301);
  // openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt mode:EXPAND_ONLY
  //   -kdfopt hexkey:a11af9f0...631643 -kdfopt hexinfo:002011"tls13 traffic upd"00 HKDF
  CHECK(to_hex(value(next_tls13_traffic_secret(
            aes128, from_hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643")))) ==
        "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916");
  // Finished key 008d3b66... (RFC 8448, above) over SHA256("abc"):
  // printf abc | openssl dgst -sha256 -binary > h; openssl mac -digest SHA256 -macopt hexkey:008d3b66...9fc8 -in h HMAC
  const Bytes transcript_hash = value(tls13_transcript_hash(aes128, kAbc));
  CHECK(to_hex(value(tls13_finished_verify_data(
            aes128, from_hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"), transcript_hash))) ==
        "c0d042eaa30c7fb9b82b769be13b0e4bfc7847de475e1b32b83fe49d2d0a23b3");
  // Non-AEAD suites have no TLS 1.3 traffic keys.
  CHECK_FALSE(derive_tls13_traffic_keys(suite(0x002F), kMaster).ok());
}
