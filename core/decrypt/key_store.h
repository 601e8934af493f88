// KeyStore: every secret a decryption run may use, and the ones it learns.
//  - RSA keys bound to a server (IP:PORT), as in Wireshark's RSA keys list;
//  - unbound RSA keys, matched to a server by its certificate's public key;
//  - key-log secrets (files given, and pcapng Decryption Secrets Blocks met in
//    the capture);
//  - the session cache: master secrets by session ID and by session ticket,
//    learned from verified handshakes, for later abbreviated handshakes (also
//    in later capture files of the same run). Each is kept with the place in
//    the capture it was learned at, and a lookup names its own place: it finds
//    only what was learned at or before it, whatever order worker threads
//    stored things in (see capture_order.h).
// Lookups and additions are safe from several threads at once.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/decrypt/capture_order.h"
#include "core/keys/key_log.h"
#include "core/keys/rsa_private_key.h"
#include "core/net/packet_decoder.h"

namespace tlsring::decrypt {

using ByteView = std::span<const std::uint8_t>;

class KeyStore {
 public:
  void add_bound_key(const net::Endpoint& server, keys::RsaPrivateKey key);
  void add_unbound_key(keys::RsaPrivateKey key);
  // Forgets every RSA key (a reload adds them again). Keys are looked up only
  // while a handshake is resolved, so this is safe whenever no decryption runs;
  // session caches and the key log stay.
  void clear_rsa_keys();
  // The key logs given (files, and what a service reads of them as they
  // grow); not safe while decrypting: add between capture files.
  keys::KeyLog& key_log() { return key_log_; }
  const keys::KeyLog& key_log() const { return key_log_; }
  // Counts key-log files given (also ones that do not exist yet, or hold
  // nothing yet): a session without keys then blames the key log, not its absence.
  void note_key_logs_given(std::size_t files) { key_logs_given_ += files; }
  // The master secrets earlier runs of the service recovered (their keys.log),
  // for sessions resumed after a restart: looked up after the key logs given,
  // never counted as a key log the user gave.
  keys::KeyLog& earlier_secrets() { return earlier_secrets_; }
  // Key-log text found inside a capture (pcapng DSB); safe while decrypting.
  Status add_key_log_text(std::string_view text, const std::string& source);

  // The key bound to this server, if any.
  const keys::RsaPrivateKey* bound_key(const net::Endpoint& server) const;
  // An unbound key whose public key is `id`.
  const keys::RsaPrivateKey* unbound_key_for(const keys::PublicKeyId& id) const;
  bool has_rsa_keys() const { return !bound_.empty() || !unbound_.empty(); }
  bool has_unbound_rsa_keys() const { return !unbound_.empty(); }

  // Key-log lookups (locked: DSBs may add lines while connections look up).
  std::optional<keys::ClientRandomSecrets> key_log_secrets(ByteView client_random) const;
  std::optional<keys::Secret> key_log_rsa_premaster(ByteView encrypted_premaster) const;
  std::optional<keys::Secret> key_log_master_by_session_id(ByteView session_id) const;
  // What the key logs given hold (files, Decryption Secrets Blocks met so far).
  struct KeyLogContents {
    std::size_t files_given = 0;     // key-log files given (note_key_logs_given)
    std::size_t secrets = 0;
    std::size_t client_randoms = 0;  // sessions with secrets by client random
  };
  KeyLogContents key_log_contents() const;

  // A server certificate's public key id and subject, parsed once per distinct
  // certificate (every connection to a server presents the same one).
  struct CertificateIdentity {
    std::optional<keys::PublicKeyId> public_key_id;  // nullopt when the DER does not parse
    std::string subject;
  };
  CertificateIdentity certificate_identity(ByteView certificate_der) const;

  // Session cache. `at`: where in the capture the session was learned, or
  // where the lookup is (it sees what was learned at or before that place).
  void remember_session_id(ByteView session_id, ByteView master_secret, CaptureOrder at = CaptureOrder::start());
  void remember_ticket(ByteView ticket, ByteView master_secret, CaptureOrder at = CaptureOrder::start());
  std::optional<keys::Secret> master_for_session_id(ByteView session_id, CaptureOrder at = CaptureOrder::end()) const;
  std::optional<keys::Secret> master_for_ticket(ByteView ticket, CaptureOrder at = CaptureOrder::end()) const;

  // Sessions whose full handshake was seen but could not be decrypted, so that
  // a later resumption can say why and what to do.
  struct UndecryptableSession {
    std::string why;  // "connection 109 from 10.2.0.10:49152: not_rsa_key_exchange, TLS_ECDHE_..."
    std::string fix;  // the full handshake's
    bool operator==(const UndecryptableSession&) const = default;
  };
  void remember_undecryptable_session(ByteView session_id, ByteView ticket, const UndecryptableSession& session,
                                      CaptureOrder at = CaptureOrder::start());
  std::optional<UndecryptableSession> why_undecryptable(ByteView session_id, ByteView ticket,
                                                        CaptureOrder at = CaptureOrder::end()) const;

  // A new capture starts (a new DecryptEngine): what was learned so far counts
  // as learned before any place in it.
  void start_capture();

 private:
  // The key logs given, then the earlier runs' secrets; the caller holds mutex_.
  std::optional<keys::Secret> session_id_in_key_logs(ByteView session_id) const;
  struct EndpointHash {
    std::size_t operator()(const net::Endpoint& e) const;
  };
  std::unordered_map<net::Endpoint, keys::RsaPrivateKey, EndpointHash> bound_;
  std::vector<keys::RsaPrivateKey> unbound_;
  keys::KeyLog key_log_;
  keys::KeyLog earlier_secrets_;
  std::size_t key_logs_given_ = 0;
  mutable std::mutex mutex_;  // guards key_log_, earlier_secrets_ and the caches after setup
  // The session cache is bounded, oldest out first: a service runs for days.
  // A key may be learned again with another value: the values are kept (a
  // few) with where each was learned, and a lookup takes the latest one
  // learned at or before its place.
  template <class Value>
  struct BoundedMap {
    struct Learned {
      CaptureOrder at;
      Value value;
    };
    std::unordered_map<std::string, std::vector<Learned>> values;  // each by `at`, earliest first
    std::deque<std::string> order;
    void put(std::string key, Value value, CaptureOrder at);
    const Value* find(const std::string& key, CaptureOrder at) const;
    void start_capture();
  };
  using BoundedSecrets = BoundedMap<keys::Secret>;
  BoundedSecrets by_session_id_;
  BoundedSecrets by_ticket_;
  BoundedMap<UndecryptableSession> undecryptable_;  // by session ID or ticket
  mutable std::unordered_map<std::string, CertificateIdentity> certificates_;  // by DER
};

}  // namespace tlsring::decrypt
