#include "core/decrypt/tls_connection.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <limits>

#include "core/crypto/key_schedule.h"
#include "core/decrypt/alerts.h"
#include "core/decrypt/key_log_miss.h"
#include "core/decrypt/master_secret_resolver.h"
#include "core/tls/handshake.h"

namespace tlsring::decrypt {
namespace {

using Span = std::span<const std::uint8_t>;

constexpr std::size_t kMaxAlertsReported = 16;
// After a gap, how many record sequence numbers to try per lost byte budget:
// the smallest protected record is about 22 bytes on the wire.
constexpr std::uint64_t kSmallestRecord = 22;
constexpr std::uint64_t kMaxSequenceGuesses = 4096;
// A real handshake transcript is a few KB (certificate chains included); past
// this, messages are not kept (a stream of junk handshake messages must not
// grow memory or make every hash longer).
constexpr std::size_t kMaxTranscript = 1 << 20;

bool is_tls13_version(std::uint16_t version) { return version == 0x0304 || (version >> 8) == 0x7f; }

bool equal_bytes(Span a, Span b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void append(std::vector<std::uint8_t>& to, Span bytes) { to.insert(to.end(), bytes.begin(), bytes.end()); }

void append_to_transcript(HandshakeState& hs, Span message) {
  if (hs.transcript.size() + message.size() <= kMaxTranscript) append(hs.transcript, message);
}

// The record protection of a TLS 1.3 traffic secret (RFC 8446 §7.3).
Result<std::unique_ptr<crypto::RecordCipher>> tls13_record_cipher(const crypto::CipherSuite& suite, Span secret,
                                                                  std::uint16_t version) {
  auto keys = crypto::derive_tls13_traffic_keys(suite, secret);
  if (!keys.ok()) return keys.error();
  return crypto::RecordCipher::create_tls13(suite, keys->key, keys->iv, version);
}

}  // namespace

// Forwards one side's framed records to the connection, tagged with the side.
class TlsConnection::SideListener final : public RecordListener {
 public:
  SideListener(TlsConnection& connection, tcp::Side side) : connection_(connection), side_(side) {}
  void on_record(const AssembledRecord& record) override { connection_.handle_record(side_, record); }
  void on_sslv2_client_hello(Span body) override { connection_.handle_sslv2_client_hello(side_, body); }
  void on_not_tls() override { connection_.handle_not_tls(side_); }

 private:
  TlsConnection& connection_;
  tcp::Side side_;
};

const char* to_string(Resumption r) {
  switch (r) {
    case Resumption::no: return "no";
    case Resumption::session_id: return "session_id";
    case Resumption::ticket: return "ticket";
    case Resumption::psk: return "psk";
    case Resumption::session_id_or_ticket: return "session_id_or_ticket";
  }
  return "no";
}

TlsConnection::TlsConnection(const tcp::ConnectionInfo& info, KeyStore& keys, SessionSink& sink,
                             bool defer_unknown_resumption, const CaptureClock* clock,
                             const CaptureLosses* known_losses)
    : info_(info), keys_(keys), sink_(sink), clock_(clock), known_losses_(known_losses),
      defer_resumption_(defer_unknown_resumption) {
  last_bytes_ns_.fill(info.first_seen_ns);
  report_.connection_id = info.first_packet;
  report_.first_seen_ns = info.first_seen_ns;
  report_.last_seen_ns = info.first_seen_ns;
  const bool start_seen = info.syn_seen || info.syn_ack_seen;
  if (start_seen) assign_roles(tcp::Side::first);
  for (int i = 0; i < 2; ++i) {
    listeners_[i] = std::make_unique<SideListener>(*this, static_cast<tcp::Side>(i));
    assemblers_[i] = std::make_unique<RecordAssembler>(!start_seen);
  }
}

TlsConnection::~TlsConnection() = default;

void TlsConnection::on_data(tcp::Side from, Span data, std::uint64_t /*offset*/, std::int64_t timestamp_ns) {
  now_ns_ = timestamp_ns;
  position_ = place_in_capture();
  report_.last_seen_ns = std::max(report_.last_seen_ns, timestamp_ns);
  last_bytes_ns_[static_cast<int>(from)] = timestamp_ns;
  directions_[static_cast<int>(from)].saw_bytes = true;  // indexed by side until roles are known
  assemblers_[static_cast<int>(from)]->feed(data, *listeners_[static_cast<int>(from)]);
}

void TlsConnection::on_gap(tcp::Side from, std::uint64_t /*offset*/, std::uint64_t length, std::int64_t timestamp_ns) {
  now_ns_ = timestamp_ns;
  position_ = place_in_capture();
  ++report_.gaps;
  report_.gap_bytes += length;
  // The bytes went missing between the side's last bytes and these.
  std::int64_t& before = last_bytes_ns_[static_cast<int>(from)];
  if (known_losses_ != nullptr) {
    if (const KnownCaptureLoss* loss = known_losses_->overlapping(before, timestamp_ns)) {
      ++gaps_explained_;
      if (gap_explained_by_ == nullptr) gap_explained_by_ = loss;
    }
  }
  before = timestamp_ns;
  assemblers_[static_cast<int>(from)]->gap(length);
  count_lost_bytes(from, length);
}

// Between the records around it: held with them while they wait.
void TlsConnection::count_lost_bytes(tcp::Side from, std::uint64_t length) {
  if (awaiting_session_) {
    held_records_.push_back(HeldRecord{from, false, now_ns_, position_, length, {}});
    return;
  }
  if (!client_side_) return;
  const Direction d = direction_of(from);
  state(d).lost_bytes += length;
  // Any handshake message of this stretch may have been lost with it.
  if (d == Direction::client_to_server) {
    (hs_.client_hello_seen ? hs_.client_bytes_lost : hs_.client_bytes_lost_before_hello) += length;
  } else {
    (hs_.server_hello_seen ? hs_.server_bytes_lost : hs_.server_bytes_lost_before_hello) += length;
  }
}

void TlsConnection::on_fin(tcp::Side /*from*/, std::int64_t timestamp_ns) {
  report_.last_seen_ns = std::max(report_.last_seen_ns, timestamp_ns);
}

bool TlsConnection::wants_bytes(tcp::Side from) const {
  return !handshake_missed_ && assemblers_[static_cast<int>(from)]->mode() != RecordAssembler::Mode::not_tls;
}

void TlsConnection::on_bytes_skipped(tcp::Side /*from*/, std::uint64_t /*bytes*/, std::int64_t last_timestamp_ns) {
  report_.last_seen_ns = std::max(report_.last_seen_ns, last_timestamp_ns);
}

void TlsConnection::on_close(tcp::CloseReason /*reason*/, std::int64_t timestamp_ns) {
  report_.last_seen_ns = std::max(report_.last_seen_ns, timestamp_ns);
  report_.ended_at = place_in_capture();
  if (awaiting_session_) {
    closed_while_waiting_ = true;  // settle_resumption() reports it
    return;
  }
  report_end();
}

void TlsConnection::report_end() {
  if (!directions_[0].saw_bytes && !directions_[1].saw_bytes) return;  // no payload: nothing to report
  decide_verdict();
  sink_.on_session_end(report_);
}

void TlsConnection::finish_deferred(std::int64_t timestamp_ns) {
  report_.last_seen_ns = std::max(report_.last_seen_ns, timestamp_ns);
  closed_while_waiting_ = true;
  settle_resumption();
}

void TlsConnection::settle_resumption() {
  if (awaiting_session_) {
    // Every session learned up to the place of the lookup is in the cache now:
    // its answer is final, as if one thread had read the capture.
    const bool defer = defer_resumption_;
    defer_resumption_ = false;
    try_resume();
    defer_resumption_ = defer;
  }
  if (closed_while_waiting_) {
    closed_while_waiting_ = false;
    report_end();
  }
}

void TlsConnection::hold_record(tcp::Side from, const AssembledRecord& record) {
  HeldRecord held{from, record.after_gap, now_ns_, position_, 0, {}};
  held.bytes.reserve(record.header_bytes.size() + record.fragment.size());
  append(held.bytes, record.header_bytes);
  append(held.bytes, record.fragment);
  held_records_.push_back(std::move(held));
}

// Looks the resumed session up again; once it is known (or waiting is over),
// replays what was held through the ordinary path.
bool TlsConnection::try_resume() {
  awaiting_session_ = false;
  derive_tls12_keys();
  if (awaiting_session_) return false;
  wait_from_.reset();
  if (held_change_cipher_spec_) {
    start_protected_records(*held_change_cipher_spec_);
    held_change_cipher_spec_.reset();
  }
  std::vector<HeldRecord> held;
  held.swap(held_records_);
  const std::int64_t now = now_ns_;
  const CaptureOrder position = position_;
  for (const HeldRecord& record : held) {
    now_ns_ = record.timestamp_ns;
    position_ = record.position;
    if (record.bytes.empty()) {
      count_lost_bytes(record.side, record.lost_bytes);
      continue;
    }
    AssembledRecord replay;
    const Span bytes(record.bytes);
    replay.header.content_type = bytes[0];
    replay.header.version = static_cast<std::uint16_t>((bytes[1] << 8) | bytes[2]);
    replay.header.length = static_cast<std::uint16_t>((bytes[3] << 8) | bytes[4]);
    replay.header_bytes = bytes.first(tls::kRecordHeaderSize);
    replay.fragment = bytes.subspan(tls::kRecordHeaderSize);
    replay.after_gap = record.after_gap;
    handle_record(record.side, replay);
  }
  now_ns_ = now;
  position_ = position;
  return true;
}

Direction TlsConnection::direction_of(tcp::Side from) const {
  return from == *client_side_ ? Direction::client_to_server : Direction::server_to_client;
}

bool TlsConnection::decide_roles(tcp::Side from, const AssembledRecord& record) {
  if (client_side_) return true;
  // Picked up without the SYN: a hello that parses says who the client is.
  if (record.header.content_type == tls::kHandshake) {
    auto frame = tls::frame_handshake(record.fragment);
    if (frame.status == tls::ParseStatus::ok) {
      if (frame.type == tls::kClientHello && tls::parse_client_hello(frame.body).ok()) assign_roles(from);
      if (frame.type == tls::kServerHello && tls::parse_server_hello(frame.body).ok()) assign_roles(tcp::other(from));
    }
  }
  if (!client_side_) midstream_records_ = true;
  return client_side_.has_value();
}

void TlsConnection::assign_roles(tcp::Side client) {
  client_side_ = client;
  report_.client = info_.endpoint[static_cast<int>(client)];
  report_.server = info_.endpoint[static_cast<int>(tcp::other(client))];
  report_.roles_certain = true;
}

void TlsConnection::handle_not_tls(tcp::Side /*from*/) { not_tls_ = true; }

void TlsConnection::handle_sslv2_client_hello(tcp::Side from, Span body) {
  any_tls_ = true;
  if (!client_side_) assign_roles(from);
  if (direction_of(from) != Direction::client_to_server) return;
  handle_client_hello(body, body, true);
}

void TlsConnection::handle_record(tcp::Side from, const AssembledRecord& record) {
  any_tls_ = true;
  // Application data framed in sequence (not a guess right after a resync)
  // before any hello: the handshake happened before the capture, and no later
  // byte of this connection can bring it back (renegotiation is encrypted).
  if (record.header.content_type == tls::kApplicationData && !record.after_gap && report_.handshakes == 0 &&
      !hs_.client_hello_seen && !hs_.server_hello_seen) {
    handshake_missed_ = true;
  }
  if (awaiting_session_) {
    hold_record(from, record);
    try_resume();
    return;
  }
  if (!decide_roles(from, record)) return;
  const Direction d = direction_of(from);
  if (d == Direction::server_to_client) server_record_version_ = record.header.version;
  std::uint8_t content_type = 0;
  Span plaintext;
  if (!unprotect(d, record, content_type, plaintext)) return;
  handle_plaintext(d, content_type, plaintext);
}

bool TlsConnection::unprotect(Direction d, const AssembledRecord& record, std::uint8_t& content_type, Span& plaintext) {
  DirectionState& st = state(d);
  const std::uint8_t outer = record.header.content_type;
  const bool early_window =
      d == Direction::client_to_server && hs_.early_data_offered && !hs_.server_hello_seen;
  const bool tls13_protected = (hs_.tls13 || early_window) && outer == tls::kApplicationData;
  if ((hs_.tls13 || early_window) && outer == tls::kChangeCipherSpec) return false;  // TLS 1.3 compatibility CCS
  if (!st.protected_records && !tls13_protected) {
    content_type = outer;
    plaintext = record.fragment;
    return true;
  }
  if (!st.cipher && !st.pending && (d != Direction::client_to_server || early_candidates_.empty())) {
    if (d == Direction::client_to_server && hs_.early_data_offered && !hs_.client_finished_verified &&
        st.phase != Tls13Phase::application) {
      ++report_.skipped_early_data_records;
    } else if (outer == tls::kApplicationData) {
      ++report_.undecrypted_records;
    }
    return false;
  }
  if (try_decrypt(d, record, content_type, plaintext)) return true;
  if (hs_.tls13 && d == Direction::client_to_server && hs_.early_data_offered && st.phase != Tls13Phase::application) {
    // 0-RTT data we have no key for (or the server rejected): skip it, as the server does.
    ++report_.skipped_early_data_records;
    return false;
  }
  if (!hs_.tls13 && (d == Direction::client_to_server ? !hs_.client_finished_verified
                                                       : !hs_.server_finished_verified) &&
      st.sequence == 0) {
    finished_failed();  // the first protected record is Finished: the keys are wrong
  }
  if (outer == tls::kApplicationData || st.sequence == 0) ++report_.undecrypted_records;
  return false;
}

bool TlsConnection::try_decrypt(Direction d, const AssembledRecord& record, std::uint8_t& content_type,
                                Span& plaintext) {
  DirectionState& st = state(d);
  auto attempt = [&](crypto::RecordCipher& cipher, std::uint64_t sequence) {
    auto result = cipher.decrypt(record.header_bytes, sequence, record.fragment, st.plaintext);
    if (!result.ok()) return false;
    content_type = result->content_type;
    plaintext = result->plaintext;
    return true;
  };
  if (!st.cipher && d == Direction::client_to_server && !early_candidates_.empty()) {
    for (auto& candidate : early_candidates_) {
      if (attempt(*candidate, 0)) {
        st.cipher = std::move(candidate);
        st.sequence = 1;
        st.phase = Tls13Phase::early;
        st.protected_records = true;
        early_candidates_.clear();
        return true;
      }
    }
  }
  if (st.cipher && st.cipher->chains_records() && (record.after_gap || (st.lost_bytes > 0 && !st.resynchronized))) {
    // The first record after lost bytes cannot be decrypted when each record
    // continues the last one's state (TLS 1.0 CBC IV, RC4): take its state, skip
    // it, and find the sequence number with the next one.
    ++report_.undecrypted_records;
    st.lost_bytes += kSmallestRecord;
    if (!st.cipher->resynchronize(record.fragment)) st.cipher.reset();
    st.resynchronized = true;
    return false;
  }
  if (st.cipher) {
    if (attempt(*st.cipher, st.sequence)) {
      ++st.sequence;
      st.lost_bytes = 0;
      st.resynchronized = false;
      return true;
    }
    if (st.lost_bytes > 0 || record.after_gap) {
      // Records were lost: find how many by trying the following sequence numbers.
      const std::uint64_t guesses = std::min(kMaxSequenceGuesses, 1 + st.lost_bytes / kSmallestRecord);
      for (std::uint64_t k = 1; k <= guesses; ++k) {
        if (attempt(*st.cipher, st.sequence + k)) {
          report_.undecrypted_records += k - (st.resynchronized ? 1 : 0);
          st.sequence += k + 1;
          st.lost_bytes = 0;
          st.resynchronized = false;
          return true;
        }
      }
    }
  }
  if (hs_.tls13 && st.pending && attempt(*st.pending, 0)) {
    // The peer moved to its next keys without us seeing the message that says so.
    st.lost_bytes = 0;
    advance_tls13_keys(d, st.phase == Tls13Phase::early ? Tls13Phase::handshake : Tls13Phase::application, 1);
    return true;
  }
  return false;
}

void TlsConnection::handle_plaintext(Direction d, std::uint8_t content_type, Span plaintext) {
  switch (content_type) {
    case tls::kChangeCipherSpec:
      if (!hs_.tls13) handle_change_cipher_spec(d);
      return;
    case tls::kAlert:
      if (plaintext.size() >= 2 && report_.alerts.size() < kMaxAlertsReported) {
        report_.alerts.push_back(describe_alert(plaintext[0], plaintext[1]));
      }
      return;
    case tls::kHandshake:
      handle_handshake_bytes(d, plaintext);
      return;
    case tls::kApplicationData:
      if (!state(d).protected_records && !hs_.tls13) {
        // Not valid before ChangeCipherSpec: unless the capture lost it, and with
        // it maybe the messages that say why the keys cannot be found.
        if (!hs_.keys_derived && report_.gaps > 0 && (hs_.client_hello_seen || hs_.server_hello_seen)) {
          derive_tls12_keys();
        }
        return;
      }
      if (plaintext.empty()) return;                          // empty records carry nothing
      ++report_.records;
      (d == Direction::client_to_server ? report_.c2s_bytes : report_.s2c_bytes) += plaintext.size();
      sink_.on_application_data(report_, d, now_ns_, plaintext);
      return;
    default:
      return;  // heartbeat and unknown types carry no application data
  }
}

void TlsConnection::handle_change_cipher_spec(Direction d) {
  (d == Direction::client_to_server ? hs_.client_change_cipher_spec_seen : hs_.server_change_cipher_spec_seen) = true;
  if (!hs_.keys_derived) derive_tls12_keys();
  if (awaiting_session_) {
    held_change_cipher_spec_ = d;
    return;
  }
  start_protected_records(d);
}

void TlsConnection::start_protected_records(Direction d) {
  DirectionState& st = state(d);
  st.cipher = std::move(st.pending);
  st.protected_records = true;
  st.sequence = 0;
  st.lost_bytes = 0;
}

void TlsConnection::handle_handshake_bytes(Direction d, Span bytes) {
  DirectionState& st = state(d);
  append(st.handshake_bytes, bytes);
  std::size_t consumed = 0;
  while (consumed < st.handshake_bytes.size()) {
    const Span rest = Span(st.handshake_bytes).subspan(consumed);
    auto frame = tls::frame_handshake(rest);
    if (frame.status == tls::ParseStatus::need_more) break;
    if (frame.status == tls::ParseStatus::invalid) {
      consumed = st.handshake_bytes.size();
      break;
    }
    // The views stay valid: handling a message never touches handshake_bytes.
    consumed += frame.consumed;
    handle_handshake_message(d, frame.type, frame.body, frame.message);
  }
  st.handshake_bytes.erase(st.handshake_bytes.begin(),
                           st.handshake_bytes.begin() + static_cast<std::ptrdiff_t>(consumed));
}

void TlsConnection::handle_handshake_message(Direction d, std::uint8_t type, Span body, Span message) {
  const bool from_client = d == Direction::client_to_server;
  switch (type) {
    case tls::kHelloRequest:
      return;  // not part of any transcript
    case tls::kClientHello:
      if (from_client) handle_client_hello(body, message, false);
      return;
    case tls::kServerHello:
      if (!from_client) handle_server_hello(body, message);
      return;
    case tls::kFinished:
      handle_finished(d, body, message);
      return;
    case tls::kServerKeyExchange:
    case tls::kCertificateRequest:
    case tls::kServerHelloDone:
      if (!from_client) hs_.server_key_exchange_flight_seen = true;
      break;
    case tls::kCertificate:
      if (!from_client) {
        hs_.server_key_exchange_flight_seen = true;
        hs_.certificate_seen = true;
        auto chain = tls::parse_certificate(body, hs_.tls13);
        if (chain.ok() && !chain->empty()) {
          KeyStore::CertificateIdentity identity = keys_.certificate_identity(chain->front());
          hs_.certificate_key_id = identity.public_key_id;
          hs_.certificate_subject = std::move(identity.subject);
          report_.certificate_subject = hs_.certificate_subject;
        }
      }
      break;
    case tls::kClientKeyExchange:
      if (from_client) {
        // One per handshake: a repeated one is a protocol error, and hashing the
        // transcript again for each would make a junk stream quadratic.
        if (hs_.client_key_exchange_seen) return;
        hs_.client_key_exchange_seen = true;
        if (hs_.suite && hs_.suite->key_exchange == crypto::KeyExchange::rsa) {
          auto encrypted = tls::parse_rsa_client_key_exchange(body, hs_.version == 0x0300);
          if (encrypted.ok()) hs_.encrypted_premaster.assign(encrypted->begin(), encrypted->end());
        }
        append_to_transcript(hs_, message);
        if (hs_.extended_master_secret && hs_.suite) {
          auto hash = crypto::handshake_hash(hs_.version, *hs_.suite, hs_.transcript);
          if (hash.ok()) hs_.session_hash = std::move(hash.value());
        }
        return;
      }
      break;
    case tls::kNewSessionTicket:
      if (hs_.tls13) return;  // post-handshake; TLS 1.3 resumption needs the key log anyway
      if (auto ticket = tls::parse_new_session_ticket(body); ticket.ok()) {
        hs_.new_ticket.assign(ticket->ticket.begin(), ticket->ticket.end());
        if (!undecryptable_.why.empty()) {
          keys_.remember_undecryptable_session({}, hs_.new_ticket, undecryptable_, position_);
        }
        if (!proven_master_.empty() && proven_master_ == hs_.master_secret) {
          keys_.remember_ticket(hs_.new_ticket, proven_master_, position_);
          sink_.on_session_ticket(hs_.new_ticket, proven_master_);
        }
      }
      break;
    case tls::kEndOfEarlyData:
      if (from_client && hs_.tls13) {
        append_to_transcript(hs_, message);
        if (state(d).pending) advance_tls13_keys(d, Tls13Phase::handshake, 0);
        return;
      }
      break;
    case tls::kKeyUpdate:
      if (hs_.tls13 && hs_.suite) {
        DirectionState& st = state(d);
        if (!st.traffic_secret.empty()) {
          auto next = crypto::next_tls13_traffic_secret(*hs_.suite, st.traffic_secret);
          if (next.ok()) {
            st.traffic_secret = next.value();
            auto cipher = tls13_record_cipher(*hs_.suite, st.traffic_secret, hs_.version);
            if (cipher.ok()) {
              st.cipher = std::move(cipher.value());
              st.sequence = 0;
            }
          }
        }
      }
      return;
    default:
      break;
  }
  if (!handshake_complete_ || !hs_.tls13) append_to_transcript(hs_, message);
}

// What the handshake's (first captured) ClientHello gives: the client random
// every key and the key log depend on, the versions offered, and the report's
// handshake count and SNI.
void TlsConnection::take_client_hello(const tls::ClientHello& ch) {
  hs_.client_hello_seen = true;
  std::copy(std::begin(ch.random), std::end(ch.random), hs_.client_random.begin());
  hs_.client_offered_tls13 = std::any_of(ch.supported_versions.begin(), ch.supported_versions.end(), is_tls13_version);
  ++report_.handshakes;
  if (ch.server_name && !report_.sni) report_.sni = ch.server_name;
}

void TlsConnection::handle_client_hello(Span body, Span message, bool sslv2) {
  auto parsed = sslv2 ? tls::parse_sslv2_client_hello(body) : tls::parse_client_hello(body);
  if (!parsed.ok()) return;
  const tls::ClientHello& ch = parsed.value();
  if (hs_.hello_retry_request && !hs_.server_hello_seen) {
    // The second ClientHello after a HelloRetryRequest. It has the first one's
    // random (RFC 8446 §4.1.2): when the first was lost, the key log is found by it.
    if (!hs_.client_hello_seen) take_client_hello(ch);
    append_to_transcript(hs_, message);
    return;
  }
  // A new handshake: the first one, or a renegotiation under the current keys.
  hs_ = HandshakeState{};
  handshake_complete_ = false;
  undecryptable_ = {};
  report_.keys_from.reset();
  take_client_hello(ch);
  hs_.client_session_id.assign(ch.session_id.begin(), ch.session_id.end());
  hs_.offered_ticket.assign(ch.session_ticket.begin(), ch.session_ticket.end());
  hs_.sni = ch.server_name;
  hs_.client_offered_ems = ch.extended_master_secret;
  hs_.client_offered_etm = ch.encrypt_then_mac;
  hs_.early_data_offered = ch.early_data;
  append_to_transcript(hs_, message);

  if (hs_.early_data_offered) {
    tls13_secrets_ = keys_.key_log_secrets(hs_.client_random);
    DirectionState& st = state(Direction::client_to_server);
    st.phase = Tls13Phase::early;
    if (tls13_secrets_ && tls13_secrets_->client_early_traffic_secret) {
      // The suite is not known until the ServerHello, which comes after the
      // early data: pick it by the secret's length and a trial decryption.
      const auto& secret = *tls13_secrets_->client_early_traffic_secret;
      for (std::uint16_t id : {0x1301, 0x1303, 0x1304, 0x1305, 0x1302}) {
        const crypto::CipherSuite* suite = crypto::find_cipher_suite(id);
        if (suite == nullptr) continue;
        const std::size_t hash_len = suite->prf == crypto::PrfHash::sha384 ? 48 : 32;
        if (hash_len != secret.size()) continue;
        auto cipher = tls13_record_cipher(*suite, secret, 0x0304);
        if (!cipher.ok()) continue;
        // Keep the first candidate as pending; try_decrypt() promotes whichever works.
        early_candidates_.push_back(std::move(cipher.value()));
      }
    }
  }
}

void TlsConnection::handle_server_hello(Span body, Span message) {
  auto parsed = tls::parse_server_hello(body);
  if (!parsed.ok()) return;
  const tls::ServerHello& sh = parsed.value();
  if (sh.is_hello_retry_request) {
    // RFC 8446 §4.4.1: the first ClientHello is replaced by its hash.
    const crypto::CipherSuite* suite = crypto::find_cipher_suite(sh.cipher_suite);
    if (suite != nullptr) {
      auto hash = crypto::tls13_transcript_hash(*suite, hs_.transcript);
      if (hash.ok()) {
        std::vector<std::uint8_t> synthetic{tls::kMessageHash, 0, 0, static_cast<std::uint8_t>(hash->size())};
        append(synthetic, *hash);
        hs_.transcript = std::move(synthetic);
      }
    }
    hs_.hello_retry_request = true;
    hs_.tls13 = true;  // only TLS 1.3 has HelloRetryRequest: its compatibility CCS means nothing
    hs_.version = sh.version();
    hs_.cipher_suite_id = sh.cipher_suite;
    hs_.suite = suite;
    append_to_transcript(hs_, message);
    return;
  }
  hs_.server_hello_seen = true;
  std::copy(std::begin(sh.random), std::end(sh.random), hs_.server_random.begin());
  hs_.server_session_id.assign(sh.session_id.begin(), sh.session_id.end());
  hs_.version = sh.version();
  hs_.cipher_suite_id = sh.cipher_suite;
  hs_.suite = crypto::find_cipher_suite(sh.cipher_suite);
  hs_.tls13 = is_tls13_version(hs_.version);
  hs_.extended_master_secret = !hs_.tls13 && sh.extended_master_secret;
  hs_.encrypt_then_mac = !hs_.tls13 && sh.encrypt_then_mac;
  hs_.psk_accepted = sh.pre_shared_key;
  append_to_transcript(hs_, message);

  report_.version = hs_.version;
  report_.cipher_suite = hs_.cipher_suite_id;
  report_.extended_master_secret = hs_.extended_master_secret;
  report_.encrypt_then_mac = hs_.encrypt_then_mac;
  // Resynchronising after a gap looks for headers with the version the server's records carry.
  for (auto& assembler : assemblers_) assembler->set_expected_version(server_record_version_);
  if (hs_.tls13) {
    report_.resumed = hs_.psk_accepted ? Resumption::psk : Resumption::no;
    setup_tls13_server_handshake_keys();
  }
}

void TlsConnection::setup_tls13_server_handshake_keys() {
  if (hs_.suite == nullptr || hs_.suite->cipher == crypto::BulkCipher::unsupported) {
    set_key_problem(Verdict::unsupported_cipher,
                    "the server chose " + crypto::cipher_suite_name(hs_.cipher_suite_id) +
                        ", a cipher suite tlsring cannot decrypt",
                    "configure the server to prefer TLS_AES_128_GCM_SHA256 or TLS_AES_256_GCM_SHA384");
    return;
  }
  if (!hs_.client_hello_seen) {
    // The ServerHello alone says TLS 1.3 (supported_versions, RFC 8446 §4.1.3),
    // but the key log is looked up by the ClientHello's random.
    set_hello_lost(true, "");
    return;
  }
  if (!tls13_secrets_) tls13_secrets_ = keys_.key_log_secrets(hs_.client_random);
  const bool have_any = tls13_secrets_ && (tls13_secrets_->server_handshake_traffic_secret ||
                                           tls13_secrets_->server_traffic_secret_0 ||
                                           tls13_secrets_->client_traffic_secret_0);
  if (!have_any) {
    KeyLogMiss miss = key_log_miss(keys_.key_log_contents(), hs_.client_random,
                                   "limit the server to TLS 1.2 with RSA key exchange cipher suites");
    set_key_problem(Verdict::not_rsa_key_exchange,
                    "the connection uses " + crypto::version_name(hs_.version) + " (" +
                        crypto::cipher_suite_name(hs_.cipher_suite_id) +
                        "), whose keys always come from an ephemeral (EC)DHE exchange: an RSA private key cannot "
                        "decrypt it, " + miss.why,
                    std::move(miss.fix));
    return;
  }
  report_.keys_from = "key log";
  const auto& s = *tls13_secrets_;
  if (s.server_handshake_traffic_secret) {
    install_tls13_key(Direction::server_to_client, *s.server_handshake_traffic_secret, Tls13Phase::handshake);
    DirectionState& server = state(Direction::server_to_client);
    server.cipher = std::move(server.pending);
    server.phase = Tls13Phase::handshake;
  }
  if (s.server_traffic_secret_0) {
    install_tls13_key(Direction::server_to_client, *s.server_traffic_secret_0, Tls13Phase::application);
  }
  DirectionState& client = state(Direction::client_to_server);
  const bool in_early = client.phase == Tls13Phase::early && client.cipher;
  if (s.client_handshake_traffic_secret) {
    install_tls13_key(Direction::client_to_server, *s.client_handshake_traffic_secret, Tls13Phase::handshake);
    if (!in_early) advance_tls13_keys(Direction::client_to_server, Tls13Phase::handshake, 0);
  } else if (s.client_traffic_secret_0 && !in_early) {
    install_tls13_key(Direction::client_to_server, *s.client_traffic_secret_0, Tls13Phase::application);
  }
  early_candidates_.clear();
}

bool TlsConnection::install_tls13_key(Direction d, Span secret, Tls13Phase phase) {
  if (hs_.suite == nullptr) return false;
  auto cipher = tls13_record_cipher(*hs_.suite, secret, hs_.version);
  if (!cipher.ok()) return false;
  DirectionState& st = state(d);
  st.pending = std::move(cipher.value());
  st.protected_records = true;
  if (phase == Tls13Phase::application) {
    st.pending_secret.assign(secret.begin(), secret.end());
  } else {
    st.traffic_secret.assign(secret.begin(), secret.end());
  }
  return true;
}

// TLS 1.3: the direction's pending keys take over from record `sequence` on,
// as the keys of `phase`. After the handshake keys come the application keys:
// they wait as the pending ones from then on.
void TlsConnection::advance_tls13_keys(Direction d, Tls13Phase phase, std::uint64_t sequence) {
  DirectionState& st = state(d);
  st.cipher = std::move(st.pending);
  st.sequence = sequence;
  st.phase = phase;
  if (phase == Tls13Phase::application) {
    st.traffic_secret = st.pending_secret;
  } else if (tls13_secrets_) {
    const auto& next = d == Direction::client_to_server ? tls13_secrets_->client_traffic_secret_0
                                                        : tls13_secrets_->server_traffic_secret_0;
    if (next) install_tls13_key(d, *next, Tls13Phase::application);
  }
}

void TlsConnection::handle_finished(Direction d, Span body, Span message) {
  const bool from_client = d == Direction::client_to_server;
  // One Finished per side and handshake; a repeated one would be verified over
  // the whole transcript again (quadratic on a junk stream).
  bool& seen = from_client ? hs_.client_finished_seen : hs_.server_finished_seen;
  if (seen) return;
  seen = true;
  bool verified = false;
  if (hs_.suite != nullptr && hs_.tls13) {
    const DirectionState& st = state(d);
    if (!st.traffic_secret.empty()) {
      auto transcript_hash = crypto::tls13_transcript_hash(*hs_.suite, hs_.transcript);
      if (transcript_hash.ok()) {
        auto expected = crypto::tls13_finished_verify_data(*hs_.suite, st.traffic_secret, *transcript_hash);
        verified = expected.ok() && equal_bytes(*expected, body);
      }
    }
  } else if (hs_.suite != nullptr && !hs_.master_secret.empty()) {
    auto expected =
        crypto::finished_verify_data(hs_.version, *hs_.suite, hs_.master_secret, from_client, hs_.transcript);
    verified = expected.ok() && equal_bytes(*expected, body);
  }
  append_to_transcript(hs_, message);
  (from_client ? hs_.client_finished_verified : hs_.server_finished_verified) = verified;
  if (!verified) finished_failed();
  if (verified) keys_proven();

  if (hs_.tls13) {
    // The sender now protects its records with its application traffic secret.
    if (state(d).pending) advance_tls13_keys(d, Tls13Phase::application, 0);
  }
  const bool both = hs_.tls13 ? from_client : (hs_.abbreviated ? from_client : !from_client);
  if (both) handshake_complete_ = true;
}

void TlsConnection::finished_failed() {
  if (!hs_.finished_failed) {
    hs_.handshake_bytes_lost_at_failure = hs_.client_bytes_lost + hs_.server_bytes_lost;
    hs_.segments_cut_short_at_failure = segments_cut_short_;
  }
  hs_.finished_failed = true;
}

void TlsConnection::keys_proven() {
  report_.finished_verified = true;
  if (hs_.tls13 || hs_.master_secret.empty() || proven_master_ == hs_.master_secret) return;
  proven_master_ = hs_.master_secret;
  sink_.on_master_secret(hs_.client_random, proven_master_);
  if (!hs_.server_session_id.empty()) sink_.on_session_id(hs_.server_session_id, proven_master_);
  keys_.remember_session_id(hs_.server_session_id, proven_master_, position_);
  if (!hs_.new_ticket.empty()) {
    keys_.remember_ticket(hs_.new_ticket, proven_master_, position_);
    sink_.on_session_ticket(hs_.new_ticket, proven_master_);
  }
}

void TlsConnection::derive_tls12_keys() {
  hs_.keys_derived = true;
  const HandshakeKind kind = handshake_kind(hs_);
  const Resumption resumption = hs_.offered_ticket.empty() ? Resumption::session_id : Resumption::ticket;
  // By ID or by ticket: only the ClientHello says.
  if (kind == HandshakeKind::abbreviated) {
    report_.resumed = hs_.client_hello_seen ? resumption : Resumption::session_id_or_ticket;
  } else {
    report_.resumed = Resumption::no;
  }
  if (!hs_.client_hello_seen || !hs_.server_hello_seen) {
    // Both randoms go into every key.
    std::string detail;
    if (kind == HandshakeKind::abbreviated) {
      detail = !hs_.client_hello_seen ? std::string("; the server resumed an earlier TLS session")
                                      : std::string("; the client resumed an earlier TLS session by ") +
                                            (resumption == Resumption::ticket ? "session ticket" : "session ID");
    }
    set_hello_lost(!hs_.client_hello_seen, detail);
    return;
  }
  if (hs_.suite == nullptr || hs_.suite->cipher == crypto::BulkCipher::unsupported) {
    set_key_problem(Verdict::unsupported_cipher,
                    "the server chose " + crypto::cipher_suite_name(hs_.cipher_suite_id) +
                        ", whose cipher tlsring cannot decrypt",
                    "configure the server to use AES-GCM or AES-CBC cipher suites with RSA key exchange");
    return;
  }
  const net::Endpoint& server = info_.endpoint[static_cast<int>(tcp::other(*client_side_))];
  // Waiting, the lookup keeps the place where the handshake needed the secret.
  const CaptureOrder at = wait_from_.value_or(position_);
  MasterSecretOutcome outcome = resolve_master_secret(hs_, kind, server, keys_, at);
  if (!outcome.found() && kind != HandshakeKind::full && defer_resumption_) {
    hs_.keys_derived = false;  // try again with the next record
    awaiting_session_ = true;
    wait_from_ = at;
    return;
  }
  hs_.abbreviated = kind == HandshakeKind::abbreviated || outcome.from_session_cache;
  if (outcome.from_session_cache) report_.resumed = resumption;
  if (!outcome.found()) {
    if (kind == HandshakeKind::full) {
      // A later resumption of this session (by ID now, by ticket once one is issued) can say why.
      undecryptable_ = {undecryptable_summary(outcome), outcome.fix};
      keys_.remember_undecryptable_session(hs_.server_session_id, {}, undecryptable_, position_);
    }
    if (outcome.resumed_session_not_seen) blame_known_loss_for_unseen_session(outcome);
    set_key_problem(outcome.verdict, outcome.reason, outcome.fix);
    if (kind == HandshakeKind::full && !hs_.client_key_exchange_seen) {
      message_lost_ = LostMessage{Direction::client_to_server, " at the end of the handshake"};
    }
    return;
  }
  hs_.master_secret = std::move(outcome.master_secret);
  report_.keys_from = std::move(outcome.source);
  auto keys = crypto::derive_connection_keys(hs_.version, *hs_.suite, hs_.master_secret, hs_.client_random,
                                             hs_.server_random);
  if (!keys.ok()) {
    set_key_problem(Verdict::unsupported_cipher, keys.error().message, "report this capture to the tlsring developers");
    return;
  }
  auto client = crypto::RecordCipher::create(hs_.version, *hs_.suite, keys->client_key, keys->client_iv,
                                             keys->client_mac_key, hs_.encrypt_then_mac);
  auto server_cipher = crypto::RecordCipher::create(hs_.version, *hs_.suite, keys->server_key, keys->server_iv,
                                                    keys->server_mac_key, hs_.encrypt_then_mac);
  if (!client.ok() || !server_cipher.ok()) {
    set_key_problem(Verdict::unsupported_cipher,
                    "cannot set up " + crypto::cipher_suite_name(hs_.cipher_suite_id) + ": " +
                        (client.ok() ? server_cipher.error().message : client.error().message),
                    "check that OpenSSL's legacy provider is installed (needed for RC4 and DES)");
    return;
  }
  state(Direction::client_to_server).pending = std::move(client.value());
  state(Direction::server_to_client).pending = std::move(server_cipher.value());
}

std::string TlsConnection::undecryptable_summary(const MasterSecretOutcome& outcome) const {
  return "connection " + std::to_string(report_.connection_id) + " from " +
         info_.endpoint[static_cast<int>(*client_side_)].to_string() + ": " + std::string(to_string(outcome.verdict)) +
         ", " + crypto::cipher_suite_name(hs_.cipher_suite_id);
}

void TlsConnection::set_key_problem(Verdict verdict, std::string reason, std::string fix) {
  key_problem_ = verdict;
  message_lost_.reset();
  key_problem_reason_ = std::move(reason);
  key_problem_fix_ = std::move(fix);
}

// A hello is missing, and with it a random every key (TLS <= 1.2) or the key
// log's index (the ClientHello's) depends on. With the connection's start in
// the capture it was lost there; else the capture may have begun after it.
void TlsConnection::set_hello_lost(bool client_hello, const std::string& detail) {
  const bool lost = info_.syn_seen || info_.syn_ack_seen || segments_cut_short_ > 0;
  std::string reason = std::string("the ") + (client_hello ? "ClientHello" : "ServerHello") + " of this connection " +
                       (lost ? "was " + lost_where() : std::string("was not captured"));
  if (client_hello) {
    reason += hs_.tls13 ? ": its client random, which the key log is indexed by, is unknown"
                        : ": its client random, which every key is derived from and the key log is indexed by, is "
                          "unknown";
  } else {
    reason += hs_.client_offered_tls13
                  ? ": the protocol version and cipher suite the server chose, which the keys depend on, are unknown"
                  : ": its server random and the cipher suite the server chose, which every key depends on, are "
                    "unknown";
  }
  set_key_problem(Verdict::handshake_not_captured, reason + detail,
                  lost ? missing_bytes_fix() : std::string("capture the whole handshake: restart the client during the capture"));
  if (lost) {
    message_lost_ = LostMessage{client_hello ? Direction::client_to_server : Direction::server_to_client,
                                " where it was sent"};
  }
}

// A resumed session of which nothing was seen: when the capture is known to
// have lost packets before this point, its full handshake may well have been
// among them, and that is the first thing to fix.
void TlsConnection::blame_known_loss_for_unseen_session(MasterSecretOutcome& outcome) const {
  if (known_losses_ == nullptr) return;
  const KnownCaptureLoss* loss = known_losses_->overlapping(std::numeric_limits<std::int64_t>::min(), now_ns_);
  if (loss == nullptr) return;
  outcome.reason += "; " + loss->what + ", and it may have been then";
  outcome.fix = loss->fix + "; else: " + outcome.fix;
}

std::string TlsConnection::lost_where() const {
  if (gap_explained_by_ != nullptr && segments_cut_short_ == 0) return "lost: " + gap_explained_by_->what;
  if (segments_cut_short_ == 0) return "lost in the capture";
  return "cut short by the capture's snap length (it cut " + std::to_string(segments_cut_short_) +
         " packet(s) of this connection)";
}

std::string TlsConnection::missing_bytes_fix() const {
  if (gap_explained_by_ != nullptr && segments_cut_short_ == 0) return gap_explained_by_->fix;
  return missing_bytes_fix(segments_cut_short_);
}

std::string TlsConnection::missing_bytes_fix(std::uint64_t segments_cut_short) {
  return std::string(segments_cut_short > 0 ? kFixSnapLength : kFixCaptureLoss);
}

void TlsConnection::decide_verdict() {
  if (!client_side_) {
    // Neither a SYN nor a hello says who is who: guess the lower port is the server's.
    const int client_index = info_.endpoint[0].port < info_.endpoint[1].port ? 1 : 0;
    report_.client = info_.endpoint[client_index];
    report_.server = info_.endpoint[1 - client_index];
  }

  auto set = [&](Verdict v, std::string reason, std::string fix) {
    report_.verdict = v;
    report_.reason = std::move(reason);
    report_.fix = std::move(fix);
  };
  const bool any_hello = report_.handshakes > 0 || hs_.server_hello_seen;
  if (!any_tls_) {
    set(Verdict::not_tls, "the connection's bytes are not TLS records",
        "check the port: if this server port does not use TLS, its traffic is plain text and needs no decryption");
    return;
  }
  if (uncaptured_side_ && report_.records == 0) {
    const net::Endpoint& silent = info_.endpoint[static_cast<int>(*uncaptured_side_)];
    const std::string port = std::to_string(report_.server.port);
    set(Verdict::handshake_not_captured,
        "the capture holds one direction of this connection only: not one packet that the " +
            std::string(silent == report_.server ? "server" : "client") + " (" + silent.to_string() +
            ") sent was captured, not even a TCP acknowledgement, so its side of the TLS handshake is missing",
        "capture both directions: a capture filter that matches the server port both ways (tcp port " + port +
            ", not dst port " + port + "), a mirror (SPAN) port that copies both directions, or capture on the "
            "server host itself");
    return;
  }
  if (!any_hello && (info_.syn_seen || segments_cut_short_ > 0) && report_.gaps > 0) {
    set(Verdict::handshake_not_captured,
        "the TLS hello messages of this connection were " + lost_where() + ", " +
            std::to_string(report_.gap_bytes) + " bytes not captured: its keys cannot be found",
        missing_bytes_fix());
    return;
  }
  if (!any_hello) {
    set(Verdict::handshake_not_captured,
        "the connection was open before the capture started: its TLS handshake is not in the capture",
        "restart the client (or the CTI link) during the capture so that its handshake is captured");
    return;
  }
  std::string losses;
  if (report_.gaps > 0) {
    std::string why;
    if (segments_cut_short_ > 0) {
      why = ": the capture's snap length cut " + std::to_string(segments_cut_short_) + " packet(s) short";
    } else if (gap_explained_by_ != nullptr) {
      why = gaps_explained_ == report_.gaps ? ": " : "; " + std::to_string(gaps_explained_) + " of the gaps when ";
      why += gap_explained_by_->what;
    }
    losses = std::to_string(report_.gaps) + " gap(s) in the TCP stream (" + std::to_string(report_.gap_bytes) +
             " bytes not captured" + why + ")";
  }
  if (report_.undecrypted_records > 0) {
    if (!losses.empty()) losses += ", ";
    losses += std::to_string(report_.undecrypted_records) + " record(s) could not be decrypted";
  }
  if (report_.skipped_early_data_records > 0) {
    if (!losses.empty()) losses += ", ";
    losses += std::to_string(report_.skipped_early_data_records) +
              " record(s) of early data (0-RTT) could not be decrypted: the key log has no "
              "CLIENT_EARLY_TRAFFIC_SECRET for this session";
  }
  if (report_.records == 0 && key_problem_) {
    std::string reason = key_problem_reason_;
    if (message_lost_) {
      // Known only now: a hole is reported once later bytes (or the end) show it.
      const bool from_client = message_lost_->from == Direction::client_to_server;
      const std::uint64_t lost = from_client ? hs_.client_bytes_lost + hs_.client_bytes_lost_before_hello
                                             : hs_.server_bytes_lost + hs_.server_bytes_lost_before_hello;
      if (lost > 0) {
        reason += "; " + std::to_string(lost) + " bytes of " + (from_client ? "client->server" : "server->client") +
                  " data are missing" + message_lost_->where;
      }
    }
    set(*key_problem_, std::move(reason), key_problem_fix_);
    return;
  }
  if (report_.records == 0 && hs_.finished_failed && !report_.finished_verified &&
      (hs_.handshake_bytes_lost_at_failure > 0 || hs_.segments_cut_short_at_failure > 0)) {
    // The keys were derived from, or Finished checked over, messages with holes: the key may well be right.
    const std::string hole =
        hs_.segments_cut_short_at_failure > 0
            ? "the capture's snap length cut " + std::to_string(hs_.segments_cut_short_at_failure) +
                  " packet(s) of it short"
            : std::to_string(hs_.handshake_bytes_lost_at_failure) + " bytes of it were lost in the capture";
    set(Verdict::handshake_not_captured,
        "the Finished message of this session does not verify, but its handshake was not captured whole (" + hole +
            "): the keys, or the messages they are checked against, are incomplete, which does not show that "
            "the key is wrong",
        missing_bytes_fix(hs_.segments_cut_short_at_failure));
    return;
  }
  if (report_.records == 0 && hs_.finished_failed && !report_.finished_verified) {
    set(Verdict::key_mismatch,
        "the keys recovered for this session do not decrypt its Finished message: the key (or key-log secret) "
        "is not this session's",
        "give the private key of the certificate this server presents, or the key log written for this session");
    return;
  }
  if (report_.records == 0 && !handshake_complete_ && report_.undecrypted_records == 0) {
    std::string reason = "the TLS handshake did not complete";
    if (!report_.alerts.empty()) reason += " (alert: " + report_.alerts.back() + ")";
    if (report_.gaps > 0) reason += "; " + losses;
    reason += ": no application data was exchanged";
    set(Verdict::handshake_incomplete, reason,
        segments_cut_short_ > 0 ? std::string(kFixSnapLength)
        : gap_explained_by_ != nullptr ? gap_explained_by_->fix
        : report_.gaps > 0      ? "check the capture for packet loss (kernel drops, snaplen)"
                                : "nothing to decrypt: the client and server did not agree on a TLS session");
    return;
  }
  if (!losses.empty() || (key_problem_ && report_.records > 0)) {
    std::string reason = losses.empty() ? key_problem_reason_ : losses;
    set(Verdict::partially_decrypted, "partly decrypted: " + reason,
        segments_cut_short_ > 0 && report_.gaps > 0 ? std::string(kFixSnapLength)
        : report_.gaps > 0 && gap_explained_by_ != nullptr && gaps_explained_ == report_.gaps
            ? gap_explained_by_->fix
        : report_.gaps > 0 ? "reduce packet loss: a larger capture buffer, a filter limited to the server port, "
                             "and a full snaplen"
        : report_.skipped_early_data_records > 0
            ? "write the key log with every secret, including CLIENT_EARLY_TRAFFIC_SECRET lines"
            : "check the key material given for the later handshakes of this connection");
    return;
  }
  set(Verdict::decrypted, report_.records == 0 ? "handshake decrypted; no application data was sent" : "", "");
}

}  // namespace tlsring::decrypt
