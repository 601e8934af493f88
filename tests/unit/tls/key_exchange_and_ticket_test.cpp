#include <catch2/catch.hpp>
#include <vector>

#include "core/tls/handshake.h"
#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

TEST_CASE("parse_rsa_client_key_exchange: SSL 3.0 form is the bare ciphertext (rsasnakeoil2 frame 8)") {
  // Record 16 0300 0084, message 10 000080: 128 bytes of RSA-1024 ciphertext.
  const ByteVec body = message_body(kRsaSnakeoil2Frame8ClientKeyExchange, kClientKeyExchange);
  auto premaster = parse_rsa_client_key_exchange(body, true);
  REQUIRE(premaster.ok());
  CHECK(premaster->size() == 128);
  CHECK(premaster->data() == body.data());
  CHECK(to_vec(premaster->first(4)) == ByteVec{0x65, 0x51, 0x2d, 0xa6});
  // Read as TLS, the first two bytes (0x6551) are not a matching length.
  CHECK_FALSE(parse_rsa_client_key_exchange(body, false).ok());
}

TEST_CASE("parse_rsa_client_key_exchange: TLS form has a 2-byte length (dmgr frame 8)") {
  // Record 16 0301 0106, message 10 000102, length 0100: 256 bytes of RSA-2048 ciphertext.
  const ByteVec body = message_body(kDmgrFrame8ClientKeyExchange, kClientKeyExchange);
  REQUIRE(body.size() == 258);
  auto premaster = parse_rsa_client_key_exchange(body, false);
  REQUIRE(premaster.ok());
  CHECK(premaster->size() == 256);
  CHECK(premaster->data() == body.data() + 2);
  CHECK(to_vec(premaster->first(4)) == ByteVec{0x43, 0x1c, 0xe9, 0xb3});
  CHECK(premaster->back() == 0x85);
  // The ssl3 flag decides: as SSL 3.0 the whole body (length included) is the ciphertext.
  auto bare = parse_rsa_client_key_exchange(body, true);
  REQUIRE(bare.ok());
  CHECK(bare->size() == 258);
}

TEST_CASE("parse_rsa_client_key_exchange: malformed bodies") {
  CHECK_FALSE(parse_rsa_client_key_exchange(ByteVec{}, true).ok());
  CHECK_FALSE(parse_rsa_client_key_exchange(ByteVec{}, false).ok());
  CHECK_FALSE(parse_rsa_client_key_exchange(ByteVec{0x00, 0x00}, false).ok());        // empty ciphertext
  CHECK_FALSE(parse_rsa_client_key_exchange(ByteVec{0x00, 0x02, 0xaa}, false).ok());  // short
  auto trailing = parse_rsa_client_key_exchange(ByteVec{0x00, 0x01, 0xaa, 0xbb}, false);
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message == "ClientKeyExchange: trailing bytes after the encrypted premaster secret");
}

TEST_CASE("parse_new_session_ticket reads the RFC 5077 layout") {
  // ticket_lifetime_hint 7200 s (0x00001c20), ticket<0..2^16-1> of 6 bytes.
  const ByteVec body = {0x00, 0x00, 0x1c, 0x20, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  auto ticket = parse_new_session_ticket(body);
  REQUIRE(ticket.ok());
  CHECK(ticket->lifetime == 7200);
  CHECK(to_vec(ticket->ticket) == ByteVec{0x01, 0x02, 0x03, 0x04, 0x05, 0x06});
  CHECK(inside(ticket->ticket, body));

  // RFC 5077 §3.3: a zero-length ticket when the server declines after all.
  auto declined = parse_new_session_ticket(ByteVec{0xff, 0xff, 0xff, 0xff, 0x00, 0x00});
  REQUIRE(declined.ok());
  CHECK(declined->lifetime == 0xffffffffu);
  CHECK(declined->ticket.empty());

  auto trailing = parse_new_session_ticket(ByteVec{0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0xaa, 0xbb});
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message == "NewSessionTicket: trailing bytes after the ticket");
  auto overrun = parse_new_session_ticket(ByteVec{0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0xaa, 0xbb});
  REQUIRE_FALSE(overrun.ok());
  CHECK(overrun.error().message == "NewSessionTicket: ticket overruns the message");
}
