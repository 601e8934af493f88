#include <catch2/catch.hpp>
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

ByteVec random_of(const ServerHello& hello) { return ByteVec(hello.random, hello.random + 32); }

// RFC 8446 §4.1.3.
const ByteVec kHrrRandom = hex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

}  // namespace

TEST_CASE("parse_server_hello reads a hand-built TLS 1.2 ServerHello with EMS, ETM and a ticket") {
  // RFC 5246 §7.4.1.3 ServerHello body.
  const ByteVec body = concat({
      {0x03, 0x03},                          // server_version TLS 1.2
      ByteVec(32, 0x42),                     // random
      {0x00},                                // empty session_id (a ticket is coming)
      {0xc0, 0x2f},                          // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
      {0x00},                                // null compression
      {0x00, 0x11},                          // extensions, 17 bytes
      {0xff, 0x01, 0x00, 0x01, 0x00},        // renegotiation_info (skipped)
      {0x00, 0x17, 0x00, 0x00},              // extended_master_secret
      {0x00, 0x16, 0x00, 0x00},              // encrypt_then_mac
      {0x00, 0x23, 0x00, 0x00},              // session_ticket: a NewSessionTicket follows
  });
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  CHECK(random_of(*hello) == ByteVec(32, 0x42));
  CHECK(hello->session_id.empty());
  CHECK(hello->cipher_suite == 0xc02f);
  CHECK(hello->compression == 0);
  CHECK(hello->extended_master_secret);
  CHECK(hello->encrypt_then_mac);
  CHECK(hello->session_ticket_ack);
  CHECK_FALSE(hello->selected_version.has_value());
  CHECK(hello->version() == 0x0303);
  CHECK_FALSE(hello->pre_shared_key);
  CHECK_FALSE(hello->is_hello_retry_request);
}

TEST_CASE("parse_server_hello detects a HelloRetryRequest by its random") {
  const ByteVec session_id(32, 0x77);
  const ByteVec body = concat({
      {0x03, 0x03}, kHrrRandom,
      {0x20}, session_id,                    // legacy_session_id_echo
      {0x13, 0x01}, {0x00},
      {0x00, 0x0c},
      {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04},  // supported_versions: TLS 1.3
      {0x00, 0x33, 0x00, 0x02, 0x00, 0x17},  // key_share in HRR: selected_group secp256r1
  });
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->is_hello_retry_request);
  CHECK(hello->version() == 0x0304);
  CHECK(to_vec(hello->session_id) == session_id);
  // The same message with one bit of the random changed is an ordinary ServerHello.
  ByteVec not_hrr = body;
  not_hrr[2 + 31] ^= 0x01;
  auto ordinary = parse_server_hello(not_hrr);
  REQUIRE(ordinary.ok());
  CHECK_FALSE(ordinary->is_hello_retry_request);
}

TEST_CASE("parse_server_hello reports malformed fields") {
  auto error_of = [](const ByteVec& body) {
    auto hello = parse_server_hello(body);
    REQUIRE_FALSE(hello.ok());
    return hello.error().message;
  };
  const ByteVec prefix = concat({{0x03, 0x03}, ByteVec(32, 1), {0x00}, {0x00, 0x2f}, {0x00}});
  CHECK(error_of(concat({prefix, {0x00, 0x05, 0x00, 0x17}})) == "ServerHello: extensions block overruns the message");
  CHECK(error_of(concat({prefix, {0x00, 0x05, 0x00, 0x2b, 0x00, 0x01, 0x03}})) ==
        "ServerHello: supported_versions extension is not 2 bytes");
  CHECK(error_of(concat({prefix, {0x00, 0x05, 0x00, 0x23, 0x00, 0x01, 0x00}})) ==
        "ServerHello: session_ticket extension is not empty");
  CHECK(error_of(concat({prefix, {0x00, 0x08, 0x00, 0x16, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00}})) ==
        "ServerHello: duplicate extension 22");
  CHECK(error_of(ByteVec{0x03, 0x03, 0x01}) == "ServerHello: truncated inside random");
  CHECK(error_of(concat({{0x03, 0x03}, ByteVec(32, 1), {0x21}, ByteVec(33, 0), {0x00, 0x2f, 0x00}})) ==
        "ServerHello: session_id longer than 32 bytes");
}

TEST_CASE("parse_server_hello: real SSL 3.0 ServerHello without extensions (rsasnakeoil2 frame 6)") {
  const ByteVec body = message_body(kRsaSnakeoil2Frame6ServerFlight, kServerHello);
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0300);
  CHECK(hello->version() == 0x0300);
  CHECK(random_of(*hello) == hex("444c948ffe81ed93650288a3f8eb63860e2cf68dd00f2c2ad64fcd2d3c16d7d6"));
  // session-keys.txt: "RSA Session-ID:a0fb6086...ce98".
  CHECK(to_vec(hello->session_id) == hex("a0fb60863d1e76f330fe0b01fd1a01ed95f67b8ec0d427bff06ec756b147ce98"));
  CHECK(hello->cipher_suite == 0x0035);  // TLS_RSA_WITH_AES_256_CBC_SHA (README table)
  CHECK(hello->compression == 0);
  CHECK_FALSE(hello->extended_master_secret);
  CHECK_FALSE(hello->session_ticket_ack);
}

TEST_CASE("parse_server_hello: real TLS 1.2 ServerHello with extended_master_secret (tls12-chacha20poly1305 frame 2)") {
  const ByteVec body = message_body(kChachaFrame2ServerFlight, kServerHello);
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  CHECK(hello->cipher_suite == 0xcca9);  // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, stream 0
  CHECK(to_vec(hello->session_id) == hex("c981b4588aacae50737272444755352b79c5bfba4fd95331691e5fd36cebb61d"));
  CHECK(hello->extended_master_secret);
  CHECK_FALSE(hello->encrypt_then_mac);  // an AEAD suite: the server declines ETM
  CHECK_FALSE(hello->session_ticket_ack);
  CHECK_FALSE(hello->selected_version.has_value());
}

TEST_CASE("parse_server_hello: real TLS 1.3 ServerHello (tls13-rfc8446 frame 2)") {
  const ByteVec body = message_body(kTls13Frame2ServerHello, kServerHello);
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x0303);
  REQUIRE(hello->selected_version.has_value());
  CHECK(*hello->selected_version == 0x0304);
  CHECK(hello->version() == 0x0304);
  CHECK(hello->cipher_suite == 0x1301);
  CHECK(random_of(*hello) == hex("3f5e55c1cdb96b098828bf5d5d2cb490f35f9200ae1bf527005a24efdf974759"));
  // legacy_session_id_echo: the session_id of the ClientHello in frame 1.
  CHECK(to_vec(hello->session_id) == hex("23c3a84ca631f3a948d15d929c972e00dded0857f2a00fbadd56175c4e362b84"));
  CHECK_FALSE(hello->pre_shared_key);
  CHECK_FALSE(hello->is_hello_retry_request);
}

TEST_CASE("parse_server_hello: real TLS 1.3 ServerHello accepting a PSK (tls13-rfc8446 frame 9)") {
  const ByteVec body = message_body(kTls13Frame9ServerHello, kServerHello);
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->version() == 0x0304);
  CHECK(hello->pre_shared_key);
  CHECK(hello->cipher_suite == 0x1301);
  CHECK(random_of(*hello) == hex("cc19c2e2a5937c52fe2387f71c1ba1682a0d440a728c090193258bfc76c7c839"));
}

TEST_CASE("parse_server_hello: real draft-20 ServerHello, short form (tls13-20-chacha20poly1305 frame 2)") {
  // draft-ietf-tls-tls13-20 §4.1.3: version, random, cipher_suite, extensions; no
  // session_id, no compression_method; version 0x7f14 in the version field.
  const ByteVec body = message_body(kTls13Draft20Frame2ServerHello, kServerHello);
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->legacy_version == 0x7f14);
  REQUIRE(hello->selected_version.has_value());
  CHECK(*hello->selected_version == 0x7f14);
  CHECK(hello->version() == 0x7f14);
  CHECK(random_of(*hello) == hex("55c823eb5524fee16cd69e1607ee2966bc8a44ced3dd3956abdb7bdde12069f8"));
  CHECK(hello->session_id.empty());
  CHECK(hello->cipher_suite == 0x1303);  // TLS_CHACHA20_POLY1305_SHA256
  CHECK_FALSE(hello->pre_shared_key);
  CHECK_FALSE(hello->is_hello_retry_request);
}

TEST_CASE("parse_server_hello: draft 22+ uses the long form") {
  // A hand-built ServerHello with 0x7f16 (draft 22) in the version field parses as
  // the RFC 8446 layout (session_id, compression byte).
  const ByteVec body = concat({{0x7f, 0x16}, ByteVec(32, 3), {0x00}, {0x13, 0x01}, {0x00}, {0x00, 0x00}});
  auto hello = parse_server_hello(body);
  REQUIRE(hello.ok());
  CHECK(hello->cipher_suite == 0x1301);
  CHECK_FALSE(hello->selected_version.has_value());
  // draft 21 (0x7f15) uses the short form: the same bytes then misparse as
  // suite 0x0013, extensions length 0x0100 that overruns.
  ByteVec draft21 = body;
  draft21[1] = 0x15;
  CHECK_FALSE(parse_server_hello(draft21).ok());
}
