// Tells a full TLS <= 1.2 handshake from an abbreviated one, and finds its
// master secret, trying in order: the key log (CLIENT_RANDOM), for an
// abbreviated handshake the session cache (by ticket, then by session ID), for
// RSA key exchange the key log's RSA premaster lines, then the server's RSA key
// (bound to the server, else matched by the certificate's public key). When
// none works it says why, as a verdict with a reason and a fix a person can act on.
#pragma once

#include <string>
#include <vector>

#include "core/decrypt/handshake_state.h"
#include "core/decrypt/key_store.h"
#include "core/decrypt/verdict.h"

namespace tlsring::decrypt {

// Whether a key exchange took place, as far as the captured messages show.
enum class HandshakeKind : std::uint8_t {
  full,         // ClientKeyExchange, or the server's Certificate ... ServerHelloDone (RFC 5246 §7.3)
  abbreviated,  // the server resumed a session: by ID (RFC 5246 §7.4.1.3) or ticket (RFC 5077 §3.1)
  unknown,      // the messages that would tell were lost in the capture
};

// Decided from what the protocol requires, never from a message alone being
// absent: a message missing where the capture lost bytes may have been sent.
// Call it at the handshake's first ChangeCipherSpec.
HandshakeKind handshake_kind(const HandshakeState& hs);

struct MasterSecretOutcome {
  std::vector<std::uint8_t> master_secret;  // empty when not found
  std::string source;                       // "key log", "RSA key keys/server.pem", "session cache (ticket)"
  bool from_session_cache = false;          // found as a resumed session's
  Verdict verdict = Verdict::no_key;        // when not found
  std::string reason;
  std::string fix;
  bool resumed_session_not_seen = false;    // resumed, and nothing is known of the session

  bool found() const { return !master_secret.empty(); }
};

// `hs` must have its ClientHello and ServerHello; `kind` is handshake_kind(hs)
// (unknown: the session cache is asked, as no key exchange can be seen).
// `at`: where in the capture the handshake is; the session cache answers with
// what it had learned by then.
MasterSecretOutcome resolve_master_secret(const HandshakeState& hs, HandshakeKind kind, const net::Endpoint& server,
                                          const KeyStore& store, CaptureOrder at = CaptureOrder::end());

}  // namespace tlsring::decrypt
