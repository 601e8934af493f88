// The SSLv2-format CLIENT-HELLO that SSL 3.0 / TLS clients may send first
// (RFC 6101 appendix E, RFC 5246 appendix E.2).
#include <algorithm>

#include <string>

#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

namespace {

constexpr std::uint8_t kSslv2ClientHello = 1;
constexpr std::size_t kCipherSpecSize = 3;
constexpr std::size_t kMinChallenge = 16;
constexpr std::size_t kMaxChallenge = 32;
constexpr std::size_t kMaxSessionId = 32;
constexpr std::uint16_t kRenegotiationScsv = 0x00ff;

Error fail(const char* what) { return make_error(std::string("SSLv2 ClientHello: ") + what); }

}  // namespace

Result<ClientHello> parse_sslv2_client_hello(ByteView body) {
  ByteReader reader(body);
  auto msg_type = reader.u8();
  auto version = reader.u16be();
  auto specs_length = reader.u16be();
  auto session_id_length = reader.u16be();
  auto challenge_length = reader.u16be();
  if (!msg_type || !version || !specs_length || !session_id_length || !challenge_length) {
    return fail("truncated before the challenge length");
  }
  if (*msg_type != kSslv2ClientHello) return fail("message type is not CLIENT-HELLO");
  if (*specs_length == 0 || *specs_length % kCipherSpecSize != 0) {
    return fail("cipher_specs length is not a positive multiple of 3");
  }
  if (*session_id_length > kMaxSessionId) return fail("session_id longer than 32 bytes");
  if (*challenge_length < kMinChallenge || *challenge_length > kMaxChallenge) {
    return fail("challenge is not 16..32 bytes");
  }
  auto specs = reader.bytes(*specs_length);
  auto session_id = specs ? reader.bytes(*session_id_length) : std::nullopt;
  auto challenge = session_id ? reader.bytes(*challenge_length) : std::nullopt;
  if (!challenge) return fail("cipher_specs, session_id and challenge overrun the message");
  if (!reader.empty()) return fail("trailing bytes after the challenge");

  ClientHello hello;
  hello.from_sslv2 = true;
  hello.legacy_version = *version;
  hello.session_id = *session_id;
  // RFC 5246 E.2: the challenge is the ClientHello.random, right-aligned and
  // padded with leading zeros when it is shorter than 32 bytes.
  std::copy(challenge->begin(), challenge->end(), hello.random + (32 - challenge->size()));

  // Each V2CipherSpec is 3 bytes; those with a zero first byte are the TLS
  // suites, the others SSLv2-only kinds that no TLS server can choose.
  ByteReader spec_reader(*specs);
  while (auto spec = spec_reader.bytes(kCipherSpecSize)) {
    if ((*spec)[0] != 0) continue;
    const auto suite = static_cast<std::uint16_t>(((*spec)[1] << 8) | (*spec)[2]);
    hello.cipher_suites.push_back(suite);
    if (suite == kRenegotiationScsv) hello.renegotiation_info = true;
  }
  return hello;
}

}  // namespace tlsring::tls
