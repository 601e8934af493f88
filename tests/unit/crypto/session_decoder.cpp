#include "session_decoder.h"

#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>

#include "core/bytes/byte_reader.h"
#include "test_bytes.h"

namespace tlsring::crypto::test {
namespace {

constexpr std::uint8_t kChangeCipherSpec = 20;
constexpr std::uint8_t kAlert = 21;
constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kApplicationData = 23;

bool is_tls13_version(std::uint16_t v) { return v == 0x0304 || (v >> 8) == 0x7f; }

void put_u16(ByteVector& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

// Extensions as (type, body) pairs; empty when the block is absent.
std::vector<std::pair<std::uint16_t, ByteView>> parse_extensions(ByteReader& r) {
  std::vector<std::pair<std::uint16_t, ByteView>> out;
  if (r.empty()) return out;
  auto block = r.length_prefixed(2);
  if (!block) return out;
  ByteReader e(*block);
  while (!e.empty()) {
    auto type = e.u16be();
    auto body = e.length_prefixed(2);
    if (!type || !body) break;
    out.emplace_back(*type, *body);
  }
  return out;
}

}  // namespace

void KeyMaterial::add_keylog_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  // Comments, and the "RSA Session-ID:... Master-Key:..." form, which the
  // decoder does not need (it looks secrets up by client random).
  if (line.empty() || line.front() == '#' || line.substr(0, 4) == "RSA ") return;
  const auto a = line.find(' ');
  const auto b = line.find(' ', a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos) return;
  keylog[std::string(line.substr(0, a))][from_hex(line.substr(a + 1, b - a - 1))] = from_hex(line.substr(b + 1));
}

void KeyMaterial::add_keylog_text(std::string_view text) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    add_keylog_line(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

const ByteVector* KeyMaterial::find(const std::string& label, const ByteVector& client_random) const {
  auto it = keylog.find(label);
  if (it == keylog.end()) return nullptr;
  auto jt = it->second.find(client_random);
  return jt == it->second.end() ? nullptr : &jt->second;
}

SessionDecoder::SessionDecoder(const KeyMaterial& keys, DecodeOptions options) : keys_(keys), options_(options) {}
SessionDecoder::~SessionDecoder() = default;

void SessionDecoder::fail(std::string message) { errors_.push_back(std::move(message)); }

bool SessionDecoder::tls13() const { return is_tls13_version(version_); }

void SessionDecoder::feed(bool from_client, std::span<const std::uint8_t> bytes) {
  Direction& d = dir(from_client);
  d.buffer.insert(d.buffer.end(), bytes.begin(), bytes.end());
  while (errors_.empty()) {
    if (d.first_record && from_client && !d.buffer.empty() && (d.buffer[0] & 0x80) != 0) {
      // SSL 2.0-compatible ClientHello: 2-byte header with the high bit set.
      if (d.buffer.size() < 2) return;
      const std::size_t length = ((d.buffer[0] & 0x7f) << 8) | d.buffer[1];
      if (d.buffer.size() < 2 + length) return;
      process_sslv2_client_hello(ByteView(d.buffer).subspan(2, length));
      d.buffer.erase(d.buffer.begin(), d.buffer.begin() + 2 + static_cast<std::ptrdiff_t>(length));
      d.first_record = false;
      continue;
    }
    if (d.buffer.size() < 5) return;
    const std::size_t length = (d.buffer[3] << 8) | d.buffer[4];
    if (d.buffer.size() < 5 + length) return;
    d.first_record = false;
    const ByteVector record(d.buffer.begin(), d.buffer.begin() + 5 + static_cast<std::ptrdiff_t>(length));
    d.buffer.erase(d.buffer.begin(), d.buffer.begin() + 5 + static_cast<std::ptrdiff_t>(length));
    process_record(from_client, ByteView(record).first(5), ByteView(record).subspan(5));
  }
}

void SessionDecoder::check_tampering(bool from_client, std::span<const std::uint8_t> header,
                                     std::span<const std::uint8_t> fragment) {
  Direction& d = dir(from_client);
  ByteVector tampered(fragment.begin(), fragment.end());
  tampered[tampered.size() / 2] ^= 0x01;
  if (d.cipher->decrypt(header, d.sequence, tampered, scratch_).ok()) {
    fail("a record with a flipped byte decrypted");
    return;
  }
  if (d.cipher->decrypt(header, d.sequence + 1, fragment, scratch_).ok()) {
    fail("a record decrypted with the wrong sequence number");
    return;
  }
  tamper_rejections_ += 2;
}

void SessionDecoder::process_record(bool from_client, std::span<const std::uint8_t> header,
                                    std::span<const std::uint8_t> fragment) {
  Direction& d = dir(from_client);
  std::uint8_t type = header[0];
  if (from_client && skipping_early_data_ && !d.cipher && type == kApplicationData) {
    ++early_records_skipped_;
    return;
  }
  if (from_client && d.early && !d.cipher && type == kApplicationData) {
    // 0-RTT data arrives before the ServerHello names the suite: hold it.
    ByteVector record(header.begin(), header.end());
    record.insert(record.end(), fragment.begin(), fragment.end());
    deferred_early_records_.push_back(std::move(record));
    return;
  }
  ByteView payload = fragment;
  if (d.cipher && !(tls13() && type == kChangeCipherSpec)) {
    if (options_.tamper_check && !fragment.empty()) check_tampering(from_client, header, fragment);
    auto plain = d.cipher->decrypt(header, d.sequence, fragment, scratch_);
    if (!plain && from_client && skipping_early_data_) {
      // 0-RTT data whose secret is unknown: it cannot decrypt under the
      // handshake keys either. Skip it; the cipher must be left as it was.
      ++early_records_skipped_;
      return;
    }
    if (from_client) skipping_early_data_ = false;
    if (!plain) {
      fail("record " + std::to_string(d.sequence) + (from_client ? " from client" : " from server") +
           ": " + plain.error().message);
      return;
    }
    ++d.sequence;
    ++d.protected_records;
    type = plain->content_type;
    payload = plain->plaintext;
  }
  // Copy: scratch_ is overwritten by the next decryption, which may happen
  // while this record's handshake messages are processed.
  const ByteVector data(payload.begin(), payload.end());
  switch (type) {
    case kChangeCipherSpec:
      // TLS 1.3's compatibility CCS can precede the ServerHello (0-RTT).
      if (!tls13() && suite_ != nullptr) activate_tls12(from_client);
      break;
    case kAlert:
      break;
    case kHandshake:
      process_handshake_bytes(from_client, data);
      break;
    case kApplicationData:
      if (!d.cipher) fail("application data before encryption");
      d.app_data.insert(d.app_data.end(), data.begin(), data.end());
      break;
    default:
      fail("unexpected content type " + std::to_string(type));
  }
}

void SessionDecoder::process_sslv2_client_hello(std::span<const std::uint8_t> body) {
  // RFC 5246 E.2: msg_type, version, cipher_spec_length, session_id_length,
  // challenge_length, then the three fields. The challenge is the client
  // random, right-aligned in 32 bytes; the hashes cover the body.
  ByteReader r(body);
  auto type = r.u8();
  auto version = r.u16be();
  auto specs = r.u16be();
  auto session = r.u16be();
  auto challenge_length = r.u16be();
  if (!type || *type != 1 || !version || !specs || !session || !challenge_length || *challenge_length > 32 ||
      !r.skip(*specs + *session)) {
    fail("bad SSLv2 ClientHello");
    return;
  }
  auto challenge = r.bytes(*challenge_length);
  if (!challenge) {
    fail("short SSLv2 challenge");
    return;
  }
  transcript_.assign(body.begin(), body.end());
  client_random_.assign(32, 0);
  std::copy(challenge->begin(), challenge->end(), client_random_.end() - static_cast<std::ptrdiff_t>(challenge->size()));
}

void SessionDecoder::process_handshake_bytes(bool from_client, std::span<const std::uint8_t> bytes) {
  Direction& d = dir(from_client);
  d.handshake.insert(d.handshake.end(), bytes.begin(), bytes.end());
  while (errors_.empty() && d.handshake.size() >= 4) {
    const std::size_t length = (d.handshake[1] << 16) | (d.handshake[2] << 8) | d.handshake[3];
    if (d.handshake.size() < 4 + length) return;
    const ByteVector message(d.handshake.begin(), d.handshake.begin() + 4 + static_cast<std::ptrdiff_t>(length));
    d.handshake.erase(d.handshake.begin(), d.handshake.begin() + 4 + static_cast<std::ptrdiff_t>(length));
    process_message(from_client, message[0], message, ByteView(message).subspan(4));
  }
}

void SessionDecoder::process_message(bool from_client, std::uint8_t type, std::span<const std::uint8_t> message,
                                     std::span<const std::uint8_t> body) {
  auto append = [&] { transcript_.insert(transcript_.end(), message.begin(), message.end()); };
  switch (type) {
    case 0:  // HelloRequest: never part of the handshake hash
      return;
    case 1:
      transcript_.clear();
      append();
      on_client_hello(body);
      return;
    case 2:
      append();
      on_server_hello(body);
      return;
    case 4:  // NewSessionTicket: in the TLS 1.2 transcript, post-handshake in TLS 1.3
      if (!tls13()) append();
      return;
    case 5:  // EndOfEarlyData: the client now switches to its handshake secret
      append();
      end_of_early_data_seen_ = true;
      client_.early = false;
      activate_tls13(true, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
      return;
    case 8: {  // EncryptedExtensions: did the server accept 0-RTT?
      append();
      ByteReader r(body);
      bool accepted = false;
      for (auto& [ext, data] : parse_extensions(r)) accepted = accepted || ext == 0x2a;
      server_accepted_early_data_ = accepted;
      if (client_.early && !accepted) {
        client_.early = false;
        activate_tls13(true, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
      }
      return;
    }
    case 16:
      append();  // the extended master secret's session hash includes the ClientKeyExchange
      on_client_key_exchange(body);
      return;
    case 20:
      if (from_client && tls13() && server_accepted_early_data_ && !end_of_early_data_seen_) {
        // The EndOfEarlyData went by under the unknown early secret; its
        // bytes are fixed (type 5, empty body), so the transcript can have them.
        static constexpr std::uint8_t kEndOfEarlyData[] = {5, 0, 0, 0};
        transcript_.insert(transcript_.end(), std::begin(kEndOfEarlyData), std::end(kEndOfEarlyData));
      }
      on_finished(from_client, body);
      append();
      if (tls13()) {
        activate_tls13(from_client, from_client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0");
      }
      return;
    case 24:  // KeyUpdate (TLS 1.3): the sender's next records use the next secret
      if (tls13()) {
        auto next = next_tls13_traffic_secret(*suite_, dir(from_client).traffic_secret);
        if (!next) return fail(next.error().message);
        install_tls13_secret(from_client, std::move(*next));
        ++key_updates_;
      }
      return;
    default:
      append();
  }
}

void SessionDecoder::on_client_hello(std::span<const std::uint8_t> body) {
  // A new handshake: forget the previous one's parameters, keep the active ciphers.
  version_ = 0;
  suite_ = nullptr;
  etm_ = ems_ = false;
  master_.clear();
  keys_tls12_.reset();
  ByteReader r(body);
  auto version = r.u16be();
  auto random = r.bytes(32);
  auto session = r.length_prefixed(1);
  auto suites = r.length_prefixed(2);
  auto compression = r.length_prefixed(1);
  if (!version || !random || !session || !suites || !compression) return fail("bad ClientHello");
  client_random_.assign(random->begin(), random->end());
  client_offered_early_data_ = false;
  server_accepted_early_data_ = false;
  end_of_early_data_seen_ = false;
  for (auto& [ext, data] : parse_extensions(r)) client_offered_early_data_ = client_offered_early_data_ || ext == 0x2a;
  if (client_offered_early_data_) {
    if (keys_.find("CLIENT_EARLY_TRAFFIC_SECRET", client_random_) != nullptr) {
      client_.early = true;
    } else {
      skipping_early_data_ = true;
    }
  }
}

void SessionDecoder::on_server_hello(std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto version = r.u16be();
  auto random = r.bytes(32);
  if (!version || !random) return fail("bad ServerHello");
  server_random_.assign(random->begin(), random->end());
  version_ = *version;
  if ((version_ >> 8) != 0x7f) {  // drafts before 22 had no session id or compression
    if (!r.length_prefixed(1)) return fail("bad ServerHello session id");
  }
  auto suite = r.u16be();
  if (!suite) return fail("bad ServerHello suite");
  if ((version_ >> 8) != 0x7f && !r.u8()) return fail("bad ServerHello compression");
  for (auto& [ext, data] : parse_extensions(r)) {
    if (ext == 0x16) etm_ = true;
    if (ext == 0x17) ems_ = true;
    if (ext == 0x2b && data.size() == 2) version_ = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  }
  suite_ = find_cipher_suite(*suite);
  if (suite_ == nullptr) return fail("unknown cipher suite " + std::to_string(*suite));
  if (tls13()) {
    activate_tls13(false, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
    if (client_.early) {
      // 0-RTT data keeps the early secret until EndOfEarlyData.
      activate_tls13(true, "CLIENT_EARLY_TRAFFIC_SECRET");
      std::vector<ByteVector> deferred = std::move(deferred_early_records_);
      deferred_early_records_.clear();
      for (const ByteVector& record : deferred) {
        process_record(true, ByteView(record).first(5), ByteView(record).subspan(5));
      }
      return;
    }
    activate_tls13(true, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    return;
  }
  if (const ByteVector* master = keys_.find("CLIENT_RANDOM", client_random_)) master_ = *master;
}

void SessionDecoder::on_client_key_exchange(std::span<const std::uint8_t> body) {
  if (suite_ == nullptr) return fail("ClientKeyExchange before ServerHello");
  ByteReader r(body);
  auto rsa_decrypt = [&](ByteView encrypted) -> std::optional<ByteVector> {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(keys_.rsa_key, nullptr),
                                                                   EVP_PKEY_CTX_free);
    ByteVector out(512);
    std::size_t length = out.size();
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_decrypt(ctx.get(), out.data(), &length, encrypted.data(), encrypted.size()) != 1 || length != 48) {
      return std::nullopt;
    }
    out.resize(length);
    return out;
  };
  auto psk_part = [&](ByteVector& pre_master) {
    put_u16(pre_master, keys_.psk.size());
    pre_master.insert(pre_master.end(), keys_.psk.begin(), keys_.psk.end());
  };

  ByteVector pre_master;
  switch (suite_->key_exchange) {
    case KeyExchange::rsa: {
      if (keys_.rsa_key == nullptr) return;
      // SSL 3.0 sends the RSA block bare; TLS prefixes it with its length.
      std::optional<ByteView> encrypted = version_ == 0x0300 ? std::optional<ByteView>(r.rest()) : r.length_prefixed(2);
      if (!encrypted) return fail("bad RSA ClientKeyExchange");
      auto pm = rsa_decrypt(*encrypted);
      if (!pm) return fail("RSA decryption of the pre-master secret failed");
      pre_master = std::move(*pm);
      break;
    }
    case KeyExchange::psk: {
      if (keys_.psk.empty()) return;
      // RFC 4279 §2: other_secret is N zero bytes.
      put_u16(pre_master, keys_.psk.size());
      pre_master.insert(pre_master.end(), keys_.psk.size(), 0);
      psk_part(pre_master);
      break;
    }
    case KeyExchange::rsa_psk: {
      if (keys_.psk.empty() || keys_.rsa_key == nullptr) return;
      auto identity = r.length_prefixed(2);
      auto encrypted = r.length_prefixed(2);
      if (!identity || !encrypted) return fail("bad RSA_PSK ClientKeyExchange");
      auto pm = rsa_decrypt(*encrypted);
      if (!pm) return fail("RSA decryption of the RSA_PSK pre-master secret failed");
      put_u16(pre_master, pm->size());  // RFC 4279 §4
      pre_master.insert(pre_master.end(), pm->begin(), pm->end());
      psk_part(pre_master);
      break;
    }
    default:
      return;  // (EC)DHE: only the key log knows the secret
  }

  Result<ByteVector> master = [&]() -> Result<ByteVector> {
    if (!ems_) return derive_master_secret(version_, *suite_, pre_master, client_random_, server_random_);
    auto session_hash = handshake_hash(version_, *suite_, transcript_);
    if (!session_hash) return session_hash.error();
    return derive_extended_master_secret(version_, *suite_, pre_master, *session_hash);
  }();
  if (!master) return fail(master.error().message);
  ++masters_derived_;
  if (const ByteVector* logged = keys_.find("CLIENT_RANDOM", client_random_)) {
    if (*logged != *master) return fail("derived master secret differs from the key log");
    ++masters_matched_keylog_;
  }
  master_ = std::move(*master);
}

void SessionDecoder::on_finished(bool from_client, std::span<const std::uint8_t> body) {
  if (suite_ == nullptr) return fail("Finished before ServerHello");
  Result<ByteVector> expected = [&]() -> Result<ByteVector> {
    if (tls13()) {
      auto hash = tls13_transcript_hash(*suite_, transcript_);
      if (!hash) return hash.error();
      const ByteVector* base = keys_.find(
          from_client ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET", client_random_);
      if (base == nullptr) return make_error("no handshake traffic secret");
      return tls13_finished_verify_data(*suite_, *base, *hash);
    }
    return finished_verify_data(version_, *suite_, master_, from_client, transcript_);
  }();
  if (!expected) return fail("Finished: " + expected.error().message);
  if (!std::equal(expected->begin(), expected->end(), body.begin(), body.end())) {
    return fail(std::string(from_client ? "client" : "server") + " Finished does not verify: got " + to_hex(body) +
                ", computed " + to_hex(*expected));
  }
  ++dir(from_client).finished_verified;
}

void SessionDecoder::activate_tls12(bool from_client) {
  if (suite_ == nullptr) return fail("ChangeCipherSpec before ServerHello");
  if (master_.empty()) return fail("ChangeCipherSpec without a known master secret");
  if (!keys_tls12_) {
    auto keys = derive_connection_keys(version_, *suite_, master_, client_random_, server_random_);
    if (!keys) return fail(keys.error().message);
    keys_tls12_ = std::move(*keys);
  }
  const ConnectionKeys& k = *keys_tls12_;
  auto cipher = from_client ? RecordCipher::create(version_, *suite_, k.client_key, k.client_iv, k.client_mac_key, etm_)
                            : RecordCipher::create(version_, *suite_, k.server_key, k.server_iv, k.server_mac_key, etm_);
  if (!cipher) return fail(cipher.error().message);
  dir(from_client).cipher = std::move(*cipher);
  dir(from_client).sequence = 0;
}

void SessionDecoder::activate_tls13(bool from_client, const std::string& label) {
  const ByteVector* secret = keys_.find(label, client_random_);
  if (secret == nullptr) return fail("no " + label + " in the key log");
  install_tls13_secret(from_client, *secret);
}

void SessionDecoder::install_tls13_secret(bool from_client, ByteVector secret) {
  auto keys = derive_tls13_traffic_keys(*suite_, secret);
  if (!keys) return fail(keys.error().message);
  auto cipher = RecordCipher::create_tls13(*suite_, keys->key, keys->iv, version_);
  if (!cipher) return fail(cipher.error().message);
  Direction& d = dir(from_client);
  d.cipher = std::move(*cipher);
  d.sequence = 0;
  d.traffic_secret = std::move(secret);
}

}  // namespace tlsring::crypto::test
