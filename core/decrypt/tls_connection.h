// TlsConnection: decrypts one TCP connection. It frames each direction's bytes
// into TLS records, follows the handshake(s) (full, abbreviated, renegotiated;
// TLS 1.3 with early data and key updates), recovers the keys, proves them with
// the Finished messages, decrypts the application data into a SessionSink, and
// at the end gives the connection its verdict.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/crypto/record_cipher.h"
#include "core/decrypt/capture_losses.h"
#include "core/decrypt/capture_order.h"
#include "core/decrypt/handshake_state.h"
#include "core/decrypt/key_store.h"
#include "core/decrypt/master_secret_resolver.h"
#include "core/decrypt/record_assembler.h"
#include "core/decrypt/session_report.h"
#include "core/decrypt/session_sink.h"
#include "core/tcp/tcp_tracker.h"
#include "core/tls/handshake.h"

namespace tlsring::decrypt {

class TlsConnection final : public tcp::ConnectionHandler {
 public:
  // `defer_unknown_resumption`: when several workers decrypt in parallel, the
  // full handshake that an abbreviated one resumes may still be in another
  // worker's hands. The connection then holds its records and events, tries
  // again with each record (looking up what was learned by the place where it
  // first looked), and settle_resumption() decides for good once every worker
  // has read past that place.
  // `clock`: where the reading is, for the session cache (see capture_order.h);
  // without it every session learned so far is seen. `known_losses`: times the
  // capture is known to have lost packets in, which explain gaps (see
  // capture_losses.h).
  TlsConnection(const tcp::ConnectionInfo& info, KeyStore& keys, SessionSink& sink,
                bool defer_unknown_resumption = false, const CaptureClock* clock = nullptr,
                const CaptureLosses* known_losses = nullptr);
  ~TlsConnection() override;

  void on_data(tcp::Side from, std::span<const std::uint8_t> data, std::uint64_t offset,
               std::int64_t timestamp_ns) override;
  void on_gap(tcp::Side from, std::uint64_t offset, std::uint64_t length, std::int64_t timestamp_ns) override;
  void on_fin(tcp::Side from, std::int64_t timestamp_ns) override;
  void on_close(tcp::CloseReason reason, std::int64_t timestamp_ns) override;
  // False once nothing more of `from` can change the report: the connection's
  // handshake was not captured (application data came before any hello), or
  // the bytes of `from` are not TLS.
  bool wants_bytes(tcp::Side from) const override;
  void on_bytes_skipped(tcp::Side from, std::uint64_t bytes, std::int64_t last_timestamp_ns) override;
  // Counted, so that the bytes missing are blamed on the snap length, not on packet loss.
  void on_segment_cut_short(tcp::Side) override { ++segments_cut_short_; }
  void on_direction_not_captured(tcp::Side from) override { uncaptured_side_ = from; }

  const SessionReport& report() const { return report_; }

  // Waiting for a resumed session's master secret (see the constructor), which
  // was looked up at `waiting_since()`.
  bool awaiting_session() const { return awaiting_session_; }
  CaptureOrder waiting_since() const { return wait_from_.value_or(position_); }
  // Every worker has read past waiting_since(): the lookup's answer is final.
  // Replays what was held and, if on_close() came meanwhile, reports the end.
  void settle_resumption();
  // The connection ended at `timestamp_ns` while waiting: settles and reports it.
  void finish_deferred(std::int64_t timestamp_ns);

 private:
  enum class Tls13Phase : std::uint8_t { none, early, handshake, application };

  struct DirectionState {
    std::unique_ptr<crypto::RecordCipher> cipher;   // protects this direction's records now
    std::unique_ptr<crypto::RecordCipher> pending;  // takes over at this direction's ChangeCipherSpec
    bool protected_records = false;                 // a ChangeCipherSpec (or TLS 1.3 key) is in force
    std::uint64_t sequence = 0;
    std::vector<std::uint8_t> handshake_bytes;      // partial handshake messages
    std::vector<std::uint8_t> plaintext;            // decryption output buffer, reused
    Tls13Phase phase = Tls13Phase::none;
    std::vector<std::uint8_t> traffic_secret;       // TLS 1.3: the secret of `cipher`
    std::vector<std::uint8_t> pending_secret;       // TLS 1.3: the application secret of `pending`
    std::uint64_t lost_bytes = 0;                   // since the last record that decrypted
    bool resynchronized = false;                    // a chained cipher took a skipped record's state
    bool saw_bytes = false;
  };

  class SideListener;
  // A record, or bytes lost (empty `bytes`), met while waiting for a session.
  struct HeldRecord {
    tcp::Side side;
    bool after_gap;
    std::int64_t timestamp_ns;
    CaptureOrder position;
    std::uint64_t lost_bytes;
    std::vector<std::uint8_t> bytes;  // header and fragment
  };

  void handle_record(tcp::Side from, const AssembledRecord& record);
  void handle_sslv2_client_hello(tcp::Side from, std::span<const std::uint8_t> body);
  void handle_not_tls(tcp::Side from);
  void assign_roles(tcp::Side client);
  bool decide_roles(tcp::Side from, const AssembledRecord& record);
  Direction direction_of(tcp::Side from) const;
  DirectionState& state(Direction d) { return directions_[static_cast<int>(d)]; }

  // Returns false when the record cannot be decrypted (then counted).
  bool unprotect(Direction d, const AssembledRecord& record, std::uint8_t& content_type,
                 std::span<const std::uint8_t>& plaintext);
  bool try_decrypt(Direction d, const AssembledRecord& record, std::uint8_t& content_type,
                   std::span<const std::uint8_t>& plaintext);
  void handle_plaintext(Direction d, std::uint8_t content_type, std::span<const std::uint8_t> plaintext);
  void handle_change_cipher_spec(Direction d);
  void start_protected_records(Direction d);
  void count_lost_bytes(tcp::Side from, std::uint64_t length);
  void handle_handshake_bytes(Direction d, std::span<const std::uint8_t> bytes);
  void handle_handshake_message(Direction d, std::uint8_t type, std::span<const std::uint8_t> body,
                                std::span<const std::uint8_t> message);
  void take_client_hello(const tls::ClientHello& ch);
  void handle_client_hello(std::span<const std::uint8_t> body, std::span<const std::uint8_t> message, bool sslv2);
  void handle_server_hello(std::span<const std::uint8_t> body, std::span<const std::uint8_t> message);
  void handle_finished(Direction d, std::span<const std::uint8_t> body, std::span<const std::uint8_t> message);
  void derive_tls12_keys();
  void keys_proven();
  void setup_tls13_server_handshake_keys();
  bool install_tls13_key(Direction d, std::span<const std::uint8_t> secret, Tls13Phase phase);
  void advance_tls13_keys(Direction d, Tls13Phase phase, std::uint64_t sequence);
  void hold_record(tcp::Side from, const AssembledRecord& record);
  bool try_resume();
  void report_end();
  std::string undecryptable_summary(const MasterSecretOutcome& outcome) const;
  void set_key_problem(Verdict verdict, std::string reason, std::string fix);
  void set_hello_lost(bool client_hello, const std::string& detail);
  // A Finished did not verify (or its record did not decrypt).
  void finished_failed();
  // Why bytes of this connection are missing, and what to do: the snap length
  // when it cut segments short, else packet loss.
  void blame_known_loss_for_unseen_session(MasterSecretOutcome& outcome) const;
  std::string lost_where() const;   // "lost in the capture", or what the snap length did
  std::string missing_bytes_fix() const;  // for this connection's segments cut short so far
  static std::string missing_bytes_fix(std::uint64_t segments_cut_short);
  void decide_verdict();
  // Where the worker's reading is now, for this connection (position_ when no clock).
  CaptureOrder place_in_capture() const {
    return clock_ != nullptr ? clock_->now(report_.connection_id) : position_;
  }

  const tcp::ConnectionInfo info_;
  KeyStore& keys_;
  SessionSink& sink_;
  SessionReport report_;

  std::unique_ptr<SideListener> listeners_[2];
  std::unique_ptr<RecordAssembler> assemblers_[2];
  const CaptureClock* clock_;
  const CaptureLosses* known_losses_;
  std::int64_t now_ns_ = 0;
  std::array<std::int64_t, 2> last_bytes_ns_{};       // by side: the last bytes or gap seen
  const KnownCaptureLoss* gap_explained_by_ = nullptr;  // the known loss the first explained gap fell in
  std::uint64_t gaps_explained_ = 0;
  CaptureOrder position_;  // where the bytes being handled are in the capture
  std::uint16_t server_record_version_ = 0;

  std::optional<tcp::Side> client_side_;
  std::array<DirectionState, 2> directions_;
  HandshakeState hs_;
  std::vector<std::uint8_t> proven_master_;        // the last master secret a Finished proved
  std::optional<keys::ClientRandomSecrets> tls13_secrets_;
  // TLS 1.3 early data arrives before the ServerHello names the suite: one
  // cipher per suite that fits the early secret, tried on the first record.
  std::vector<std::unique_ptr<crypto::RecordCipher>> early_candidates_;

  bool defer_resumption_ = false;
  bool awaiting_session_ = false;
  bool closed_while_waiting_ = false;
  std::optional<CaptureOrder> wait_from_;           // where the resumed session was looked up first
  std::optional<Direction> held_change_cipher_spec_;
  std::vector<HeldRecord> held_records_;            // bounded by a batch of the engine

  std::uint64_t segments_cut_short_ = 0;            // by the capture's snap length
  std::optional<tcp::Side> uncaptured_side_;        // not one segment of this side was captured
  bool any_tls_ = false;
  bool not_tls_ = false;
  bool midstream_records_ = false;                  // records before any hello
  bool handshake_missed_ = false;                   // application data before any hello: for good
  bool handshake_complete_ = false;
  KeyStore::UndecryptableSession undecryptable_;  // this handshake's keys were not found: why (empty: they were)
  std::optional<Verdict> key_problem_;
  // The key problem: a handshake message lost in the capture. The bytes lost
  // in its direction are known only at the end, and added to the reason then.
  struct LostMessage {
    Direction from;
    const char* where;  // " at the end of the handshake"
  };
  std::optional<LostMessage> message_lost_;
  std::string key_problem_reason_;
  std::string key_problem_fix_;
};

}  // namespace tlsring::decrypt
