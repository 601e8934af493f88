#include "tests/fuzz/tls13_script.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/crypto/cipher_suite.h"
#include "core/crypto/key_schedule.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/record_script.h"

namespace tlsring::fuzz {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Span = std::span<const std::uint8_t>;

constexpr std::uint16_t kSuite = 0x1301;  // TLS_AES_128_GCM_SHA256
constexpr std::uint8_t kClientRandomByte = 0xc1;

// Phase secrets: 0 early (client only), 1 handshake, 2 application; then KeyUpdates.
Bytes secret(std::uint8_t fill) { return Bytes(32, fill); }
const Bytes& early_secret() { static const Bytes s = secret(0x05); return s; }
const Bytes& handshake_secret(int d) { static const Bytes s[2] = {secret(0x01), secret(0x02)}; return s[d]; }
const Bytes& application_secret(int d) { static const Bytes s[2] = {secret(0x03), secret(0x04)}; return s[d]; }

Bytes record(std::uint8_t type, Span fragment) {
  Bytes r{type, 0x03, 0x03};
  put16(r, fragment.size());
  append(r, fragment);
  return r;
}

Bytes client_hello(bool early_data) {
  Bytes body{0x03, 0x03};
  body.insert(body.end(), 32, kClientRandomByte);
  body.push_back(32);
  body.insert(body.end(), 32, 0x5e);  // legacy session id
  put16(body, 2);
  put16(body, kSuite);
  body.push_back(1);
  body.push_back(0);
  Bytes ext;
  put16(ext, 43);  // supported_versions
  put16(ext, 3);
  ext.push_back(2);
  put16(ext, 0x0304);
  put16(ext, 51);  // key_share: x25519
  put16(ext, 2 + 4 + 32);
  put16(ext, 4 + 32);
  put16(ext, 29);
  put16(ext, 32);
  ext.insert(ext.end(), 32, 0x4b);
  if (early_data) {
    put16(ext, 42);
    put16(ext, 0);
  }
  put16(body, ext.size());
  append(body, ext);
  return handshake_message(1, body);
}

Bytes server_hello() {
  Bytes body{0x03, 0x03};
  body.insert(body.end(), 32, 0x5a);
  body.push_back(32);
  body.insert(body.end(), 32, 0x5e);
  put16(body, kSuite);
  body.push_back(0);
  Bytes ext;
  put16(ext, 43);
  put16(ext, 2);
  put16(ext, 0x0304);
  put16(ext, 51);
  put16(ext, 4 + 32);
  put16(ext, 29);
  put16(ext, 32);
  ext.insert(ext.end(), 32, 0x4c);
  put16(body, ext.size());
  append(body, ext);
  return handshake_message(2, body);
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};

// One direction's sending state in the harness.
struct Sender {
  int phase = 1;  // 0 early, 1 handshake, 2+ application
  Bytes traffic_secret;
  Bytes key, iv;
  std::uint64_t sequence = 0;
  std::uint64_t offset = 0;
};

class Player {
 public:
  Player(bool early_data, tcp::ConnectionHandler& handler) : handler_(handler) {
    suite_ = crypto::find_cipher_suite(kSuite);
    fuzz_check(suite_ != nullptr, "TLS_AES_128_GCM_SHA256 is not in the cipher-suite table");
    senders_[0].phase = early_data ? 0 : 1;
    set_key(0, early_data ? early_secret() : handshake_secret(0));
    set_key(1, handshake_secret(1));
    const Bytes ch = client_hello(early_data);
    append(transcript_, ch);
    send(0, record(22, ch));
  }

  void play(Span ops) {
    for_each_script_op(ops, [this](const ScriptOp& op) {
      now_ += kScriptStepNs;
      run(op.direction, op.action, op.op, op.payload, op.length);
    });
  }

  std::int64_t now() const { return now_; }

 private:
  void run(int d, int action, std::uint8_t op, Span payload, std::size_t length) {
    if (d == 1 && action != 6) ensure_server_hello();
    switch (action) {
      case 0: encrypted(d, inner_type(op, payload), payload, (op & 0x40) != 0); break;
      case 1:
        if (!payload.empty()) send(d, Bytes(payload.begin(), payload.end()));
        break;
      case 2: next_key(d); break;
      case 3: finished(d); break;
      case 4:
        if (length > 0) {
          handler_.on_gap(static_cast<tcp::Side>(d), senders_[d].offset, length, now_);
          senders_[d].offset += length;
        }
        break;
      case 5:
        if (!payload.empty()) handshake(d, payload[0], payload.subspan(1));
        break;
      case 6: ensure_server_hello(); break;
      default: send(d, record(inner_type(op, payload), payload)); break;
    }
  }

  static std::uint8_t inner_type(std::uint8_t op, Span payload) {
    switch ((op >> 4) & 3) {
      case 0: return 22;
      case 1: return 23;
      case 2: return 21;
      default: return payload.empty() ? 0 : payload[0];
    }
  }

  void ensure_server_hello() {
    if (server_hello_sent_) return;
    server_hello_sent_ = true;
    const Bytes sh = server_hello();
    append(transcript_, sh);
    send(1, record(22, sh));
  }

  void set_key(int d, const Bytes& traffic_secret) {
    Sender& s = senders_[d];
    auto keys = crypto::derive_tls13_traffic_keys(*suite_, traffic_secret);
    fuzz_check(keys.ok(), "harness: cannot derive TLS 1.3 traffic keys");
    s.traffic_secret = traffic_secret;
    s.key = keys->key;
    s.iv = keys->iv;
    s.sequence = 0;
  }

  void next_key(int d) {
    Sender& s = senders_[d];
    if (s.phase == 0) {
      s.phase = 1;
      set_key(d, handshake_secret(d));
    } else if (s.phase == 1) {
      s.phase = 2;
      set_key(d, application_secret(d));
    } else {
      ++s.phase;
      auto next = crypto::next_tls13_traffic_secret(*suite_, s.traffic_secret);
      fuzz_check(next.ok(), "harness: cannot derive the next traffic secret");
      set_key(d, next.value());
    }
  }

  void handshake(int d, std::uint8_t type, Span body) {
    const Bytes message = handshake_message(type, body);
    if (senders_[d].phase < 2 || type != 4) append(transcript_, message);
    encrypted(d, 22, message, false);
    if (type == 24 && senders_[d].phase >= 2) next_key(d);             // KeyUpdate
    if (type == 5 && d == 0 && senders_[0].phase == 0) next_key(0);   // EndOfEarlyData
  }

  void finished(int d) {
    Sender& s = senders_[d];
    auto hash = crypto::tls13_transcript_hash(*suite_, transcript_);
    fuzz_check(hash.ok(), "harness: transcript hash failed");
    // The Finished key comes from the handshake traffic secret, whatever phase the sender is in.
    auto verify = crypto::tls13_finished_verify_data(*suite_, handshake_secret(d), *hash);
    fuzz_check(verify.ok(), "harness: Finished verify data failed");
    const Bytes message = handshake_message(20, *verify);
    append(transcript_, message);
    encrypted(d, 22, message, false);
    if (s.phase < 2) {
      s.phase = 2;
      set_key(d, application_secret(d));
    }
  }

  void encrypted(int d, std::uint8_t inner, Span plaintext, bool padding) {
    Sender& s = senders_[d];
    // The record length field has 16 bits: longer plaintext is cut (records over
    // 2^14 + 256 bytes still go out: the parser must cope with them).
    if (plaintext.size() > 0xffff - 16 - 1 - 5) plaintext = plaintext.first(0xffff - 16 - 1 - 5);
    Bytes inner_plaintext(plaintext.begin(), plaintext.end());
    inner_plaintext.push_back(inner);
    if (padding) inner_plaintext.insert(inner_plaintext.end(), 5, 0);
    const std::size_t length = inner_plaintext.size() + 16;
    Bytes header{23, 0x03, 0x03};
    put16(header, length);
    std::array<std::uint8_t, 12> nonce{};
    std::copy_n(s.iv.begin(), 12, nonce.begin());
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(s.sequence >> (8 * i));
    ++s.sequence;

    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    Bytes out(inner_plaintext.size() + 16);
    int n = 0, m = 0;
    const bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, s.key.data(), nonce.data()) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &n, header.data(), static_cast<int>(header.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out.data(), &n, inner_plaintext.data(),
                          static_cast<int>(inner_plaintext.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &m) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + inner_plaintext.size()) == 1;
    fuzz_check(ok, "harness: AES-128-GCM encryption failed");
    Bytes wire = header;
    append(wire, out);
    send(d, wire);
  }

  void send(int d, const Bytes& bytes) {
    handler_.on_data(static_cast<tcp::Side>(d), bytes, senders_[d].offset, now_);
    senders_[d].offset += bytes.size();
  }

  tcp::ConnectionHandler& handler_;
  const crypto::CipherSuite* suite_ = nullptr;
  Sender senders_[2];
  Bytes transcript_;
  bool server_hello_sent_ = false;
  std::int64_t now_ = kScriptStartNs;
};

}  // namespace

std::string tls13_key_log() {
  const std::string random = script_hex(Bytes(32, kClientRandomByte));
  return "CLIENT_EARLY_TRAFFIC_SECRET " + random + " " + script_hex(early_secret()) + "\n" +
         "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random + " " + script_hex(handshake_secret(0)) + "\n" +
         "SERVER_HANDSHAKE_TRAFFIC_SECRET " + random + " " + script_hex(handshake_secret(1)) + "\n" +
         "CLIENT_TRAFFIC_SECRET_0 " + random + " " + script_hex(application_secret(0)) + "\n" +
         "SERVER_TRAFFIC_SECRET_0 " + random + " " + script_hex(application_secret(1)) + "\n";
}

std::int64_t play_tls13_script(std::span<const std::uint8_t> input, tcp::ConnectionHandler& handler) {
  const bool early = !input.empty() && (input[0] & 1) != 0;
  Player player(early, handler);
  if (!input.empty()) player.play(input.subspan(1));
  return player.now();
}

void Tls13ScriptWriter::op(int direction, int action, std::span<const std::uint8_t> payload, int high_bits) {
  append_script_op(bytes_, direction, action, payload, high_bits);
}

void Tls13ScriptWriter::encrypted(int direction, Inner inner, std::span<const std::uint8_t> plaintext, bool padding) {
  op(direction, 0, plaintext, (inner << 4) | (padding ? 0x40 : 0));
}

void Tls13ScriptWriter::handshake(int direction, std::uint8_t type, std::span<const std::uint8_t> body) {
  Bytes payload{type};
  append(payload, body);
  op(direction, 5, payload);
}

}  // namespace tlsring::fuzz
