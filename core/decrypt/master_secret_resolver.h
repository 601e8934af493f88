// Finds the master secret of a TLS <= 1.2 handshake, trying in order: the key
// log (CLIENT_RANDOM), for an abbreviated handshake the session cache (by
// ticket, then by session ID), for RSA key exchange the key log's RSA premaster
// lines, then the server's RSA key (bound to the server, else matched by the
// certificate's public key). When none works it says why, as a verdict with a
// reason and a fix a person can act on.
#pragma once

#include <string>
#include <vector>

#include "core/decrypt/handshake_state.h"
#include "core/decrypt/key_store.h"
#include "core/decrypt/verdict.h"

namespace tlsring::decrypt {

struct MasterSecretOutcome {
  std::vector<std::uint8_t> master_secret;  // empty when not found
  std::string source;                       // "key log", "RSA key keys/server.pem", "session cache (ticket)"
  Verdict verdict = Verdict::no_key;        // when not found
  std::string reason;
  std::string fix;

  bool found() const { return !master_secret.empty(); }
};

// `hs` must have its ServerHello; `abbreviated` says no key exchange took place.
// `at`: where in the capture the handshake is; the session cache answers with
// what it had learned by then.
MasterSecretOutcome resolve_master_secret(const HandshakeState& hs, bool abbreviated, const net::Endpoint& server,
                                          const KeyStore& store, CaptureOrder at = CaptureOrder::end());

}  // namespace tlsring::decrypt
