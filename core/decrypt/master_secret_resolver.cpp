#include "core/decrypt/master_secret_resolver.h"

#include "core/crypto/key_schedule.h"
#include "core/decrypt/key_log_miss.h"

namespace tlsring::decrypt {
namespace {

constexpr std::size_t kPremasterSize = 48;
const std::string kReduceCaptureLoss =
    std::string(kFixCaptureLoss) + "; the client's next handshake can then be decrypted";

std::string suite_name(const HandshakeState& hs) { return crypto::cipher_suite_name(hs.cipher_suite_id); }

MasterSecretOutcome failure(Verdict verdict, std::string reason, std::string fix) {
  MasterSecretOutcome out;
  out.verdict = verdict;
  out.reason = std::move(reason);
  out.fix = std::move(fix);
  return out;
}

MasterSecretOutcome from_premaster(const HandshakeState& hs, const std::vector<std::uint8_t>& premaster,
                                   std::string source) {
  Result<crypto::ByteVector> master =
      hs.extended_master_secret
          ? crypto::derive_extended_master_secret(hs.version, *hs.suite, premaster, hs.session_hash)
          : crypto::derive_master_secret(hs.version, *hs.suite, premaster, hs.client_random, hs.server_random);
  if (!master.ok()) {
    return failure(Verdict::unsupported_cipher, "key derivation failed for " + suite_name(hs) + ": " +
                                                    master.error().message,
                   "report this capture to the tlsring developers");
  }
  MasterSecretOutcome out;
  out.master_secret = std::move(master.value());
  out.source = std::move(source);
  return out;
}

MasterSecretOutcome with_rsa_key(const HandshakeState& hs, const keys::RsaPrivateKey& key, bool bound,
                                 const net::Endpoint& server) {
  auto premaster = key.decrypt(hs.encrypted_premaster);
  if (!premaster.ok() || premaster->size() != kPremasterSize) {
    return failure(Verdict::key_mismatch,
                   "the RSA key " + key.source_name() + (bound ? " bound to " + server.to_string() : std::string()) +
                       " could not decrypt the premaster secret: it is not the key of this server's certificate",
                   "give the private key that belongs to the certificate this server presents" +
                       (hs.certificate_subject ? " (" + *hs.certificate_subject + ")" : std::string()));
  }
  return from_premaster(hs, premaster.value(), "RSA key " + key.source_name());
}

}  // namespace

HandshakeKind handshake_kind(const HandshakeState& hs) {
  // Only a full handshake has a key exchange: the client's ClientKeyExchange,
  // the server's Certificate / ServerKeyExchange / ServerHelloDone.
  if (hs.client_key_exchange_seen || hs.server_key_exchange_flight_seen) return HandshakeKind::full;
  // Only what the client offered can be resumed: a session ID or a ticket.
  if (hs.client_hello_seen && hs.client_session_id.empty() && hs.offered_ticket.empty()) return HandshakeKind::full;
  // The server resumes by ID by echoing the client's (RFC 5246 §7.4.1.3); in a
  // full handshake it gives a new one (or none).
  if (hs.server_hello_seen && !hs.server_session_id.empty() && hs.server_session_id == hs.client_session_id) {
    return HandshakeKind::abbreviated;
  }
  // A resuming server goes from ServerHello (and NewSessionTicket) straight to
  // ChangeCipherSpec (RFC 5077 §3.1): whether it echoes the session ID or not.
  if (hs.server_hello_seen && hs.server_change_cipher_spec_seen && hs.server_bytes_lost == 0) {
    return HandshakeKind::abbreviated;
  }
  // A resuming client goes from ClientHello to ChangeCipherSpec; in a full
  // handshake its ClientKeyExchange comes between. (Unless the server, unseen,
  // chose TLS 1.3: there the client's ChangeCipherSpec is for compatibility.)
  const bool maybe_tls13 = hs.client_offered_tls13 && !hs.server_hello_seen;
  if (hs.client_hello_seen && !maybe_tls13 && hs.client_change_cipher_spec_seen && hs.client_bytes_lost == 0) {
    return HandshakeKind::abbreviated;
  }
  return HandshakeKind::unknown;
}

MasterSecretOutcome resolve_master_secret(const HandshakeState& hs, HandshakeKind kind, const net::Endpoint& server,
                                          const KeyStore& store, CaptureOrder at) {
  if (auto secrets = store.key_log_secrets(hs.client_random); secrets && secrets->master_secret) {
    MasterSecretOutcome out;
    out.master_secret = *secrets->master_secret;
    out.source = "key log";
    return out;
  }

  if (kind != HandshakeKind::full) {
    if (auto master = store.master_for_ticket(hs.offered_ticket, at)) {
      return MasterSecretOutcome{*master, "session cache (ticket)", true, Verdict::decrypted, {}, {}};
    }
    if (hs.server_session_id == hs.client_session_id) {
      if (auto master = store.master_for_session_id(hs.server_session_id, at)) {
        return MasterSecretOutcome{*master, "session cache (session ID)", true, Verdict::decrypted, {}, {}};
      }
    }
    if (kind == HandshakeKind::unknown) {
      return failure(Verdict::handshake_not_captured,
                     "parts of this handshake were lost in the capture, in both directions: whether the client "
                     "made a new key exchange or resumed an earlier session cannot be seen, and no session it could "
                     "have resumed is known",
                     kReduceCaptureLoss);
    }
    const bool by_ticket = !hs.offered_ticket.empty();
    const std::string resumed = std::string("the client resumed an earlier TLS session by ") +
                                (by_ticket ? "session ticket" : "session ID");
    if (auto full = store.why_undecryptable(hs.client_session_id, hs.offered_ticket, at)) {
      return failure(Verdict::resumed_session_unknown,
                     resumed + ", whose full handshake was captured but could not be decrypted (" + full->why + ")",
                     "as for that full handshake: " + full->fix);
    }
    MasterSecretOutcome out = failure(
        Verdict::resumed_session_unknown,
        resumed + ", and that session's full handshake is not in the capture (nor its master secret in a key log)",
        "capture from before the clients connect (restart the CTI clients during the capture), or give "
        "the capture that holds the earlier full handshake first in the list");
    out.resumed_session_not_seen = true;
    return out;
  }

  if (!hs.client_key_exchange_seen) {
    // A full handshake, whose client must send one before its ChangeCipherSpec.
    return failure(Verdict::handshake_not_captured,
                   "the client's key exchange message (ClientKeyExchange) of this full handshake was lost in the "
                   "capture: the session keys cannot be computed without it",
                   kReduceCaptureLoss);
  }

  const crypto::KeyExchange kx = hs.suite->key_exchange;
  if (kx != crypto::KeyExchange::rsa) {
    KeyLogMiss miss = key_log_miss(store.key_log_contents(), hs.client_random,
                                   "configure the server to use RSA key exchange cipher suites only (for example "
                                   "TLS_RSA_WITH_AES_256_GCM_SHA384)");
    return failure(Verdict::not_rsa_key_exchange,
                   "the server chose " + suite_name(hs) + ": " + std::string(crypto::to_string(kx)) +
                       " key exchange cannot be decrypted with an RSA private key, " + miss.why,
                   std::move(miss.fix));
  }

  if (auto premaster = store.key_log_rsa_premaster(hs.encrypted_premaster)) {
    return from_premaster(hs, *premaster, "key log (RSA premaster)");
  }

  if (const keys::RsaPrivateKey* key = store.bound_key(server)) {
    if (hs.certificate_key_id && *hs.certificate_key_id != key->public_key_id()) {
      return failure(Verdict::key_mismatch,
                     "the RSA key " + key->source_name() + " bound to " + server.to_string() +
                         " does not belong to the certificate this server presented" +
                         (hs.certificate_subject ? " (" + *hs.certificate_subject + ")" : std::string()),
                     "export the private key of the certificate this server uses, and bind it to " +
                         server.to_string());
    }
    return with_rsa_key(hs, *key, true, server);
  }
  if (hs.certificate_key_id) {
    if (const keys::RsaPrivateKey* key = store.unbound_key_for(*hs.certificate_key_id)) {
      return with_rsa_key(hs, *key, false, server);
    }
  }
  // How a key is given for this server, in both verbs' terms.
  const std::string bind_it = "tlsring decrypt --key " + server.to_string() +
                              "=FILE, or in the service config a decrypt.keys entry with server: " + server.to_string();
  if (!hs.certificate_seen && store.has_unbound_rsa_keys()) {
    // A full RSA handshake always carries the server's certificate: here it was not captured whole.
    return failure(Verdict::no_key,
                   "the server's Certificate message of this handshake is not in the capture (lost, or cut short by "
                   "the capture's snap length), so the RSA key(s) given without a server cannot be matched to "
                   "server " + server.to_string(),
                   "bind the server's private key to it: " + bind_it + "; and capture whole packets, without loss");
  }
  std::string reason = "no RSA private key was given for server " + server.to_string();
  if (hs.certificate_subject) reason += " (certificate " + *hs.certificate_subject + ")";
  if (store.has_rsa_keys()) reason += "; none of the keys given matches its certificate";
  return failure(Verdict::no_key, reason, "give this server's private key (PEM or .pfx): " + bind_it + "; or a key log");
}

}  // namespace tlsring::decrypt
