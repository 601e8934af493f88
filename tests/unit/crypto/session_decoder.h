// Test support: a small TLS session follower built on core/crypto only. It is
// fed the bytes of one TCP connection in the order they were sent, walks the
// records (SSLv2-compatible ClientHello included), follows the handshake
// (SSL 3.0 - TLS 1.3, renegotiation, resumption, 0-RTT), derives keys with
// key_schedule.h, decrypts with RecordCipher, checks every Finished, and
// collects the application data per direction.
//
// This is test code: it trusts its input and stops at the first problem,
// which it records in errors() for the test to report.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/key_schedule.h"
#include "core/crypto/record_cipher.h"

namespace tlsring::crypto::test {

// What the test knows about the secrets.
struct KeyMaterial {
  // label ("CLIENT_RANDOM", "SERVER_HANDSHAKE_TRAFFIC_SECRET", ...) -> client random -> secret
  std::map<std::string, std::map<ByteVector, ByteVector>> keylog;
  EVP_PKEY* rsa_key = nullptr;  // not owned; decrypts RSA / RSA_PSK pre-master secrets
  ByteVector psk;               // PSK / RSA_PSK pre-master secrets

  void add_keylog_line(std::string_view line);
  void add_keylog_text(std::string_view text);
  const ByteVector* find(const std::string& label, const ByteVector& client_random) const;
};

struct DecodeOptions {
  // Before each protected record: decrypt a copy with one byte flipped and
  // with the wrong sequence number (both must fail), then the real one.
  bool tamper_check = false;
};

class SessionDecoder {
 public:
  SessionDecoder(const KeyMaterial& keys, DecodeOptions options);
  ~SessionDecoder();

  // Bytes the client (from_client) or server sent, in wire order.
  void feed(bool from_client, std::span<const std::uint8_t> bytes);

  const std::vector<std::string>& errors() const { return errors_; }
  const ByteVector& app_data(bool from_client) const { return dir(from_client).app_data; }
  int finished_verified(bool from_client) const { return dir(from_client).finished_verified; }
  int protected_records(bool from_client) const { return dir(from_client).protected_records; }
  int tamper_rejections() const { return tamper_rejections_; }
  // Master secrets this decoder derived from a pre-master secret (RSA
  // decryption or PSK), and how many of them matched a key-log entry.
  int masters_derived() const { return masters_derived_; }
  int masters_matched_keylog() const { return masters_matched_keylog_; }
  std::uint16_t version() const { return version_; }
  std::uint16_t cipher_suite() const { return suite_ ? suite_->id : 0; }
  bool encrypt_then_mac() const { return etm_; }
  bool extended_master_secret() const { return ems_; }
  int key_updates() const { return key_updates_; }
  // 0-RTT records skipped because the key log has no early traffic secret.
  int early_records_skipped() const { return early_records_skipped_; }

 private:
  struct Direction {
    ByteVector buffer;            // bytes not yet forming a whole record
    ByteVector handshake;         // handshake bytes not yet forming a whole message
    std::unique_ptr<RecordCipher> cipher;
    std::uint64_t sequence = 0;
    ByteVector traffic_secret;    // TLS 1.3
    bool early = false;           // TLS 1.3 client: protected by the early traffic secret
    bool first_record = true;
    ByteVector app_data;
    int finished_verified = 0;
    int protected_records = 0;
  };

  Direction& dir(bool from_client) { return from_client ? client_ : server_; }
  const Direction& dir(bool from_client) const { return from_client ? client_ : server_; }
  void fail(std::string message);
  bool tls13() const;

  void process_record(bool from_client, std::span<const std::uint8_t> header, std::span<const std::uint8_t> fragment);
  void process_sslv2_client_hello(std::span<const std::uint8_t> body);
  void process_handshake_bytes(bool from_client, std::span<const std::uint8_t> bytes);
  void process_message(bool from_client, std::uint8_t type, std::span<const std::uint8_t> message,
                       std::span<const std::uint8_t> body);
  void on_client_hello(std::span<const std::uint8_t> body);
  void on_server_hello(std::span<const std::uint8_t> body);
  void on_client_key_exchange(std::span<const std::uint8_t> body);
  void on_finished(bool from_client, std::span<const std::uint8_t> body);
  void activate_tls12(bool from_client);
  void activate_tls13(bool from_client, const std::string& label);
  void install_tls13_secret(bool from_client, ByteVector secret);
  void check_tampering(bool from_client, std::span<const std::uint8_t> header, std::span<const std::uint8_t> fragment);

  const KeyMaterial& keys_;
  DecodeOptions options_;
  Direction client_;
  Direction server_;
  std::vector<std::string> errors_;

  // The handshake in progress (a renegotiation starts a new one).
  std::uint16_t version_ = 0;
  const CipherSuite* suite_ = nullptr;
  ByteVector client_random_;
  ByteVector server_random_;
  ByteVector transcript_;
  bool etm_ = false;
  bool ems_ = false;
  bool client_offered_early_data_ = false;
  bool skipping_early_data_ = false;
  bool server_accepted_early_data_ = false;
  bool end_of_early_data_seen_ = false;
  int early_records_skipped_ = 0;
  ByteVector master_;
  std::optional<ConnectionKeys> keys_tls12_;
  int masters_derived_ = 0;
  int masters_matched_keylog_ = 0;
  int tamper_rejections_ = 0;
  int key_updates_ = 0;
  ByteVector scratch_;
  std::vector<ByteVector> deferred_early_records_;
};

}  // namespace tlsring::crypto::test
