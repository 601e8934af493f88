#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/tls/handshake.h"
#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

namespace {

ByteVec concat(std::initializer_list<ByteVec> parts) {
  ByteVec out;
  for (const ByteVec& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

ByteVec counting(std::uint8_t first, std::size_t n) {
  ByteVec out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

ByteVec random_of(const ClientHello& hello) { return ByteVec(hello.random, hello.random + 32); }

// RFC 8446 §4.1.2 ClientHello body up to the extensions, built by hand:
// TLS 1.2 legacy_version, random 00..1f, a 4-byte session_id, two suites, null compression.
ByteVec hello_prefix() {
  return concat({
      {0x03, 0x03},                                    // legacy_version
      counting(0x00, 32),                              // random
      {0x04, 0xaa, 0xbb, 0xcc, 0xdd},                  // session_id<0..32>
      {0x00, 0x04, 0x13, 0x01, 0xc0, 0x2f},            // cipher_suites<2..2^16-2>
      {0x01, 0x00},                                    // compression_methods<1..2^8-1>
  });
}

// Every extension the parser reads, plus one it skips, in an extensions block of 0x72 bytes.
ByteVec every_extension() {
  return concat({
      {0x00, 0x72},                                    // extensions<8..2^16-1> length = 114
      // server_name (0): list of 14: host_name (0), 11 bytes "example.com"
      {0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b,
       'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'},
      {0x00, 0x17, 0x00, 0x00},                        // extended_master_secret (23), empty
      {0x00, 0x16, 0x00, 0x00},                        // encrypt_then_mac (22), empty
      {0x00, 0x23, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef},  // session_ticket (35) with a 4-byte ticket
      {0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03},  // supported_versions (43): 0304, 0303
      {0x00, 0x2a, 0x00, 0x00},                        // early_data (42), empty in ClientHello
      {0xff, 0x01, 0x00, 0x01, 0x00},                  // renegotiation_info: empty renegotiated_connection
      {0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d},  // supported_groups (10): skipped
      // pre_shared_key (41), last: identities (11) = identity 01..05 + age 7; binders (33) = one 32-byte binder
      {0x00, 0x29, 0x00, 0x30, 0x00, 0x0b, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05, 0x00, 0x00, 0x00, 0x07,
       0x00, 0x21, 0x20},
      ByteVec(32, 0x11),
  });
}

}  // namespace

TEST_CASE("parse_client_hello reads every extension of a hand-built ClientHello") {
  const ByteVec body = concat({hello_prefix(), every_extension()});
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  CHECK(random_of(*hello) == counting(0x00, 32));
  CHECK(to_vec(hello->session_id) == ByteVec{0xaa, 0xbb, 0xcc, 0xdd});
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0x1301, 0xc02f});
  CHECK_FALSE(hello->from_sslv2);
  REQUIRE(hello->server_name.has_value());
  CHECK(*hello->server_name == "example.com");
  CHECK(hello->extended_master_secret);
  CHECK(hello->encrypt_then_mac);
  CHECK(hello->session_ticket_present);
  CHECK(to_vec(hello->session_ticket) == ByteVec{0xde, 0xad, 0xbe, 0xef});
  CHECK(hello->supported_versions == std::vector<std::uint16_t>{0x0304, 0x0303});
  CHECK(hello->pre_shared_key);
  CHECK(hello->early_data);
  CHECK(hello->renegotiation_info);
  CHECK(inside(hello->session_id, body));
  CHECK(inside(hello->session_ticket, body));
}

TEST_CASE("parse_client_hello accepts a ClientHello with no extensions block") {
  const ByteVec body = hello_prefix();
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0x1301, 0xc02f});
  CHECK_FALSE(hello->server_name.has_value());
  CHECK_FALSE(hello->extended_master_secret);
  CHECK_FALSE(hello->encrypt_then_mac);
  CHECK_FALSE(hello->session_ticket_present);
  CHECK(hello->supported_versions.empty());
  CHECK_FALSE(hello->pre_shared_key);
  CHECK_FALSE(hello->early_data);
  CHECK_FALSE(hello->renegotiation_info);
  // An empty extensions block is also fine.
  auto empty_block = parse_client_hello(concat({hello_prefix(), {0x00, 0x00}}));
  REQUIRE(empty_block.ok());
  CHECK_FALSE(empty_block->renegotiation_info);
}

TEST_CASE("parse_client_hello: the renegotiation SCSV counts as renegotiation_info") {
  // SSL 3.0 hello, empty session_id, suites 0x002f and TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff).
  const ByteVec body = concat({{0x03, 0x00}, counting(0x40, 32), {0x00}, {0x00, 0x04, 0x00, 0x2f, 0x00, 0xff},
                               {0x02, 0x01, 0x00}});  // compression: deflate, null
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->renegotiation_info);
  CHECK(hello->session_id.empty());
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0x002f, 0x00ff});
}

TEST_CASE("parse_client_hello reports malformed fields") {
  auto error_of = [](const ByteVec& body) {
    auto hello = parse_client_hello(body);
    REQUIRE_FALSE(hello.ok());
    return hello.error().message;
  };
  const ByteVec prefix = hello_prefix();
  // Extensions length 0x0073, one more than present.
  const ByteVec extensions = every_extension();
  CHECK(error_of(concat({prefix, {0x00, 0x73}, ByteVec(extensions.begin() + 2, extensions.end())})) ==
        "ClientHello: extensions block overruns the message");
  // A lone byte where the extensions length should be.
  CHECK(error_of(concat({prefix, {0x00}})) == "ClientHello: extensions block overruns the message");
  // Bytes after the extensions block.
  CHECK(error_of(concat({prefix, {0x00, 0x00, 0x00}})) == "ClientHello: trailing bytes after the extensions block");
  // Extension data length past the block.
  CHECK(error_of(concat({prefix, {0x00, 0x04, 0x00, 0x17, 0x00, 0x01}})) ==
        "ClientHello: extension overruns the extensions block");
  // Two extended_master_secret extensions.
  CHECK(error_of(concat({prefix, {0x00, 0x08, 0x00, 0x17, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00}})) ==
        "ClientHello: duplicate extension 23");
  // extended_master_secret with data.
  CHECK(error_of(concat({prefix, {0x00, 0x05, 0x00, 0x17, 0x00, 0x01, 0x00}})) ==
        "ClientHello: extended_master_secret extension is not empty");
  // supported_versions with an odd list length.
  CHECK(error_of(concat({prefix, {0x00, 0x06, 0x00, 0x2b, 0x00, 0x02, 0x01, 0x03}})) ==
        "ClientHello: supported_versions extension is malformed");
  // server_name whose list length overruns the extension.
  CHECK(error_of(concat({prefix, {0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x00, 0x05, 0x00}})) ==
        "ClientHello: server_name extension is malformed");
  // server_name with an empty host_name.
  CHECK(error_of(concat({prefix, {0x00, 0x09, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00}})) ==
        "ClientHello: server_name host_name is empty");
  // 33-byte session_id.
  CHECK(error_of(concat({{0x03, 0x03}, counting(0, 32), {0x21}, ByteVec(33, 0), {0x00, 0x02, 0x00, 0x2f, 0x01, 0x00}})) ==
        "ClientHello: session_id longer than 32 bytes");
  // Odd cipher_suites length.
  CHECK(error_of(concat({{0x03, 0x03}, counting(0, 32), {0x00}, {0x00, 0x03, 0x00, 0x2f, 0x00, 0x01, 0x00}})) ==
        "ClientHello: cipher_suites length is odd");
}

TEST_CASE("parse_client_hello: real SSL 3.0 ClientHello without extensions (rsasnakeoil2 frame 25)") {
  const ByteVec body = message_body(kRsaSnakeoil2Frame25ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0300);
  // Random and session ID as the fixture's session-keys.txt gives them
  // (CLIENT_RANDOM line 3, "RSA Session-ID" line 2).
  CHECK(random_of(*hello) == hex("0034011e673afaced951bae4fc64950382630fe3396bc7bd2be5513723485bfb"));
  CHECK(to_vec(hello->session_id) == hex("a3caad46955d64bb33ecb5129121a350d2c0c5f667c3cc9ec04a711b92dc5855"));
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0x0039, 0x0038, 0x0035, 0x0033, 0x0032, 0x0004, 0x0005,
                                                           0x002f, 0x0016, 0x0013, 0xfeff, 0x000a, 0x0015, 0x0012,
                                                           0xfefe, 0x0009, 0x0064, 0x0062, 0x0003, 0x0006});
  CHECK_FALSE(hello->server_name.has_value());
  CHECK_FALSE(hello->session_ticket_present);
  CHECK_FALSE(hello->renegotiation_info);
}

TEST_CASE("parse_client_hello: real TLS ClientHello with SNI and session_ticket (dmgr frame 4)") {
  const ByteVec body = message_body(kDmgrFrame4ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  CHECK(random_of(*hello) == hex("73646aa7c4a448f0be31b2fe5e10e7406616ab1ce8ee1e638bcbb0c0f4bfcbe0"));
  CHECK(hello->session_id.empty());
  CHECK(hello->cipher_suites.size() == 23);
  CHECK(hello->cipher_suites.front() == 0xc02b);
  CHECK(hello->cipher_suites.back() == 0x000a);
  REQUIRE(hello->server_name.has_value());
  CHECK(*hello->server_name == "localhost");
  CHECK(hello->renegotiation_info);
  CHECK(hello->session_ticket_present);
  CHECK(hello->session_ticket.empty());
  CHECK_FALSE(hello->extended_master_secret);
  CHECK(hello->supported_versions.empty());
}

TEST_CASE("parse_client_hello: real TLS 1.2 ClientHello with ETM and EMS (tls12-chacha20poly1305 frame 1)") {
  const ByteVec body = message_body(kChachaFrame1ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0xcca9, 0x00ff});
  CHECK(hello->renegotiation_info);  // from the SCSV
  REQUIRE(hello->server_name.has_value());
  CHECK(*hello->server_name == "10.42.0.243");
  CHECK(hello->encrypt_then_mac);
  CHECK(hello->extended_master_secret);
  CHECK_FALSE(hello->session_ticket_present);
}

TEST_CASE("parse_client_hello: real TLS 1.3 ClientHello, full handshake (tls13-rfc8446 frame 1)") {
  const ByteVec body = message_body(kTls13Frame1ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  CHECK(random_of(*hello) == hex("2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df"));
  CHECK(to_vec(hello->session_id) == hex("23c3a84ca631f3a948d15d929c972e00dded0857f2a00fbadd56175c4e362b84"));
  CHECK(hello->cipher_suites.size() == 18);
  CHECK(hello->cipher_suites.front() == 0x1301);
  CHECK_FALSE(hello->server_name.has_value());  // this client sent no SNI
  CHECK(hello->supported_versions == std::vector<std::uint16_t>{0x0304, 0x7f1c, 0x7f17, 0x0303, 0x0302, 0x0301});
  CHECK(hello->extended_master_secret);
  CHECK(hello->session_ticket_present);
  CHECK(hello->renegotiation_info);
  CHECK_FALSE(hello->pre_shared_key);
  CHECK_FALSE(hello->early_data);
}

TEST_CASE("parse_client_hello: real TLS 1.3 resumption ClientHello with PSK and early_data (tls13-rfc8446 frame 7)") {
  const ByteVec body = message_body(kTls13Frame7ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(random_of(*hello) == hex("b67947da9d3e4b2ce8acffa975e30aa7ef90f7ec0d39de78db392f38b9a9a41d"));
  CHECK(hello->supported_versions == std::vector<std::uint16_t>{0x0304, 0x7f1c, 0x7f17, 0x0303, 0x0302, 0x0301});
  CHECK(hello->pre_shared_key);
  CHECK(hello->early_data);
  CHECK_FALSE(hello->server_name.has_value());
}

TEST_CASE("parse_client_hello: real ClientHello offering TLS 1.3 draft 20 (tls13-20-chacha20poly1305 frame 1)") {
  const ByteVec body = message_body(kTls13Draft20Frame1ClientHello, kClientHello);
  auto hello = parse_client_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->session_id.empty());
  CHECK(hello->cipher_suites.size() == 31);
  CHECK(hello->renegotiation_info);  // SCSV 0x00ff is in the list
  REQUIRE(hello->server_name.has_value());
  CHECK(*hello->server_name == "10.42.0.243");
  CHECK(hello->supported_versions == std::vector<std::uint16_t>{0x7f14, 0x0303, 0x0302, 0x0301});
  CHECK(hello->session_ticket_present);
  CHECK(hello->encrypt_then_mac);
  CHECK(hello->extended_master_secret);
}

TEST_CASE("parse_sslv2_client_hello: the real SSLv2-format ClientHello (rsasnakeoil2 frame 4)") {
  const ByteVec payload = hex(kRsaSnakeoil2Frame4SslV2ClientHello);
  Sslv2RecordParse record = parse_sslv2_record(payload);
  REQUIRE(record.status == ParseStatus::ok);
  auto hello = parse_sslv2_client_hello(record.body);
  REQUIRE(hello.ok());
  CHECK(hello->from_sslv2);
  CHECK(hello->legacy_version == 0x0300);
  CHECK(hello->session_id.empty());
  // cases.json notes and session-keys.txt: the 16-byte challenge, left-padded with zeros.
  CHECK(random_of(*hello) == hex("00000000000000000000000000000000a8b893bb90e92aa24d6dcc1ce72a8021"));
  // 26 cipher specs; the 6 SSLv2-only ones (first byte non-zero) are dropped. The
  // 20 left are the list the same client sends in its SSL 3.0 hello (frame 25).
  CHECK(hello->cipher_suites == std::vector<std::uint16_t>{0x0039, 0x0038, 0x0035, 0x0033, 0x0032, 0x0004, 0x0005,
                                                           0x002f, 0x0016, 0x0013, 0xfeff, 0x000a, 0x0015, 0x0012,
                                                           0xfefe, 0x0009, 0x0064, 0x0062, 0x0003, 0x0006});
  CHECK_FALSE(hello->renegotiation_info);
  CHECK_FALSE(hello->server_name.has_value());
}

TEST_CASE("parse_sslv2_client_hello: challenge lengths, SCSV and session_id") {
  // RFC 5246 E.2 layout: msg_type, version, cipher_spec_length, session_id_length,
  // challenge_length, then the three fields.
  auto build = [](std::uint16_t challenge_length) {
    return concat({{0x01, 0x03, 0x01},           // CLIENT-HELLO, TLS 1.0
                   {0x00, 0x09},                 // 3 cipher specs
                   {0x00, 0x10},                 // 16-byte session_id
                   {0x00, static_cast<std::uint8_t>(challenge_length)},
                   {0x07, 0x00, 0xc0, 0x00, 0x00, 0x2f, 0x00, 0x00, 0xff},  // SSL_CK_DES_192_EDE3, 0x002f, SCSV
                   ByteVec(16, 0x55),
                   counting(0x80, challenge_length)});
  };
  const ByteVec full_body = build(32);
  auto full = parse_sslv2_client_hello(full_body);
  REQUIRE(full.ok());
  CHECK(random_of(*full) == counting(0x80, 32));
  CHECK(full->cipher_suites == std::vector<std::uint16_t>{0x002f, 0x00ff});
  CHECK(full->renegotiation_info);
  CHECK(to_vec(full->session_id) == ByteVec(16, 0x55));

  auto twenty = parse_sslv2_client_hello(build(20));
  REQUIRE(twenty.ok());
  CHECK(random_of(*twenty) == concat({ByteVec(12, 0), counting(0x80, 20)}));

  for (std::uint16_t bad : {15, 33}) {
    auto hello = parse_sslv2_client_hello(build(bad));
    REQUIRE_FALSE(hello.ok());
    CHECK(hello.error().message == "SSLv2 ClientHello: challenge is not 16..32 bytes");
  }
  ByteVec wrong_type = build(16);
  wrong_type[0] = 0x02;
  CHECK_FALSE(parse_sslv2_client_hello(wrong_type).ok());
  ByteVec spec_length_not_3n = build(16);
  spec_length_not_3n[4] = 0x08;
  CHECK_FALSE(parse_sslv2_client_hello(spec_length_not_3n).ok());
  ByteVec trailing = build(16);
  trailing.push_back(0x00);
  auto t = parse_sslv2_client_hello(trailing);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message == "SSLv2 ClientHello: trailing bytes after the challenge");
}
