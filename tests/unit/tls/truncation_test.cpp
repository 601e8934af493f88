// Every parser over every prefix and over single-byte corruptions of real
// messages: errors, never a crash or a view outside the input. Each input is
// copied into a buffer of exactly its size so a sanitizer build sees any overread.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/tls/handshake.h"
#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

namespace {

// Where the extensions block starts in a ClientHello (RFC 5246 §7.4.1.2), walked
// over the fixed fields by hand: version, random, session_id, suites, compression.
std::size_t client_hello_extensions_offset(const ByteVec& body) {
  std::size_t at = 2 + 32;
  at += 1 + body.at(at);
  at += 2 + ((body.at(at) << 8) | body.at(at + 1));
  at += 1 + body.at(at);
  return at;
}

// The same for a ServerHello (RFC 5246 §7.4.1.3): version, random, session_id, suite, compression.
std::size_t server_hello_extensions_offset(const ByteVec& body) {
  std::size_t at = 2 + 32;
  at += 1 + body.at(at);
  return at + 2 + 1;
}

struct Case {
  std::string name;
  ByteVec body;
  // Parses `input`; returns whether it parsed, and checks its views lie inside `input`.
  std::function<bool(ByteView input)> parse;
  // Prefix lengths that are themselves complete, valid messages.
  std::vector<std::size_t> valid_prefixes;
};

bool parse_ch(ByteView input) {
  auto r = parse_client_hello(input);
  if (r.ok()) {
    CHECK(inside(r->session_id, input));
    CHECK(inside(r->session_ticket, input));
  }
  return r.ok();
}

bool parse_sh(ByteView input) {
  auto r = parse_server_hello(input);
  if (r.ok()) CHECK(inside(r->session_id, input));
  return r.ok();
}

std::function<bool(ByteView)> parse_cert(bool tls13) {
  return [tls13](ByteView input) {
    auto r = parse_certificate(input, tls13);
    if (r.ok()) {
      for (ByteView cert : *r) CHECK(inside(cert, input));
    }
    return r.ok();
  };
}

std::vector<Case> cases() {
  std::vector<Case> out;
  auto add_ch = [&](std::string name, std::string_view payload) {
    ByteVec body = message_body(payload, kClientHello);
    const std::size_t boundary = client_hello_extensions_offset(body);
    std::vector<std::size_t> valid;
    if (boundary < body.size()) valid.push_back(boundary);  // a hello without extensions
    out.push_back({std::move(name), std::move(body), parse_ch, valid});
  };
  add_ch("ClientHello rsasnakeoil2 frame 25", kRsaSnakeoil2Frame25ClientHello);
  add_ch("ClientHello dmgr frame 4", kDmgrFrame4ClientHello);
  add_ch("ClientHello tls13 frame 1", kTls13Frame1ClientHello);
  add_ch("ClientHello tls13 frame 7", kTls13Frame7ClientHello);
  add_ch("ClientHello draft-20 frame 1", kTls13Draft20Frame1ClientHello);
  add_ch("ClientHello chacha frame 1", kChachaFrame1ClientHello);

  auto add_sh = [&](std::string name, std::string_view payload, bool short_form) {
    ByteVec body = message_body(payload, kServerHello);
    std::vector<std::size_t> valid;
    if (!short_form) {
      const std::size_t boundary = server_hello_extensions_offset(body);
      if (boundary < body.size()) valid.push_back(boundary);
    }
    out.push_back({std::move(name), std::move(body), parse_sh, valid});
  };
  add_sh("ServerHello rsasnakeoil2 frame 6", kRsaSnakeoil2Frame6ServerFlight, false);
  add_sh("ServerHello chacha frame 2", kChachaFrame2ServerFlight, false);
  add_sh("ServerHello tls13 frame 2", kTls13Frame2ServerHello, false);
  add_sh("ServerHello tls13 frame 9", kTls13Frame9ServerHello, false);
  add_sh("ServerHello draft-20 frame 2", kTls13Draft20Frame2ServerHello, true);

  {
    const ByteVec payload = hex(kRsaSnakeoil2Frame4SslV2ClientHello);
    out.push_back({"SSLv2 ClientHello rsasnakeoil2 frame 4", ByteVec(payload.begin() + 2, payload.end()),
                   [](ByteView input) {
                     auto r = parse_sslv2_client_hello(input);
                     if (r.ok()) CHECK(inside(r->session_id, input));
                     return r.ok();
                   },
                   {}});
  }
  out.push_back({"Certificate rsasnakeoil2", message_body(kRsaSnakeoil2Frame6ServerFlight, kCertificate),
                 parse_cert(false), {}});
  out.push_back({"Certificate dmgr", message_body(kDmgrFrame6ServerFlight, kCertificate), parse_cert(false), {}});
  out.push_back({"Certificate chacha", message_body(kChachaFrame2ServerFlight, kCertificate), parse_cert(false), {}});
  // RFC 8446 §4.4.2 by hand: empty context, one entry (3-byte cert, 2-byte extension block with 00 05 00 00).
  out.push_back({"Certificate TLS 1.3",
                 {0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x03, 0x30, 0x01, 0x00, 0x00, 0x04, 0x00, 0x05, 0x00, 0x00},
                 parse_cert(true), {}});
  out.push_back({"ClientKeyExchange dmgr (TLS)", message_body(kDmgrFrame8ClientKeyExchange, kClientKeyExchange),
                 [](ByteView input) {
                   auto r = parse_rsa_client_key_exchange(input, false);
                   if (r.ok()) CHECK(inside(*r, input));
                   return r.ok();
                 },
                 {}});
  out.push_back({"NewSessionTicket", {0x00, 0x00, 0x1c, 0x20, 0x00, 0x04, 0x0a, 0x0b, 0x0c, 0x0d},
                 [](ByteView input) {
                   auto r = parse_new_session_ticket(input);
                   if (r.ok()) CHECK(inside(r->ticket, input));
                   return r.ok();
                 },
                 {}});
  return out;
}

}  // namespace

TEST_CASE("every prefix of every message is an error, except a hello cut right before its extensions") {
  for (const Case& c : cases()) {
    INFO(c.name);
    REQUIRE(c.parse(c.body));  // the whole message parses
    for (std::size_t size = 0; size < c.body.size(); ++size) {
      INFO("prefix of " << size << " bytes");
      const ByteVec prefix(c.body.begin(), c.body.begin() + static_cast<std::ptrdiff_t>(size));
      const bool valid = std::find(c.valid_prefixes.begin(), c.valid_prefixes.end(), size) != c.valid_prefixes.end();
      CHECK(c.parse(prefix) == valid);
    }
  }
}

TEST_CASE("the SSL 3.0 ClientKeyExchange fails only when empty") {
  // The SSL 3.0 form has no length: any non-empty prefix is a (shorter) ciphertext.
  const ByteVec body = message_body(kRsaSnakeoil2Frame8ClientKeyExchange, kClientKeyExchange);
  for (std::size_t size = 0; size < body.size(); ++size) {
    const ByteVec prefix(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(size));
    auto r = parse_rsa_client_key_exchange(prefix, true);
    CHECK(r.ok() == (size > 0));
    if (r.ok()) CHECK(r->size() == size);
  }
}

TEST_CASE("single-byte corruptions of real messages never escape the input") {
  std::size_t parsed = 0;
  std::size_t rejected = 0;
  for (const Case& c : cases()) {
    INFO(c.name);
    for (std::size_t at = 0; at < c.body.size(); ++at) {
      const std::uint8_t original = c.body[at];
      for (std::uint8_t value : {std::uint8_t{0x00}, std::uint8_t{0xff}, static_cast<std::uint8_t>(original ^ 0x01),
                                 static_cast<std::uint8_t>(original ^ 0x80)}) {
        ByteVec mutated = c.body;
        mutated[at] = value;
        (c.parse(mutated) ? parsed : rejected) += 1;
      }
    }
  }
  // Corrupting length fields must be caught somewhere; corrupting random bytes must not matter.
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}
