#include "tests/fuzz/tls12_script.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

constexpr int kHandshakes = 3;  // key-log entries: the first handshake and two renegotiations

struct SuiteChoice {
  std::uint16_t id;
  const char* cipher;  // OpenSSL name
  const char* digest;  // HMAC; nullptr for AEAD
  enum Kind { cbc, gcm, chacha, stream } kind;
};
constexpr std::array<SuiteChoice, 8> kSuites = {{
    {0x002f, "AES-128-CBC", "SHA1", SuiteChoice::cbc},
    {0x003c, "AES-128-CBC", "SHA256", SuiteChoice::cbc},
    {0x009c, "AES-128-GCM", nullptr, SuiteChoice::gcm},
    {0x009d, "AES-256-GCM", nullptr, SuiteChoice::gcm},
    {0xcca8, "ChaCha20-Poly1305", nullptr, SuiteChoice::chacha},
    {0x0035, "AES-256-CBC", "SHA1", SuiteChoice::cbc},
    {0x0005, "RC4", "SHA1", SuiteChoice::stream},
    {0x000a, "DES-EDE3-CBC", "SHA1", SuiteChoice::cbc},
}};
constexpr std::array<std::uint16_t, 4> kVersions = {0x0303, 0x0302, 0x0301, 0x0303};

Bytes client_random(int handshake) { return Bytes(32, static_cast<std::uint8_t>(0xa0 + handshake)); }
Bytes server_random(int handshake) { return Bytes(32, static_cast<std::uint8_t>(0xb0 + handshake)); }
Bytes master_secret(int handshake) { return Bytes(48, static_cast<std::uint8_t>(0x30 + handshake)); }

Bytes hello_extensions(bool etm, bool ems) {
  Bytes ext;
  if (etm) {
    put16(ext, 22);
    put16(ext, 0);
  }
  if (ems) {
    put16(ext, 23);
    put16(ext, 0);
  }
  put16(ext, 0xff01);  // renegotiation_info, empty
  put16(ext, 1);
  ext.push_back(0);
  Bytes out;
  put16(out, ext.size());
  append(out, ext);
  return out;
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// One direction's protection state.
struct Protection {
  bool active = false;
  Bytes key, iv, mac_key;
  std::uint64_t sequence = 0;
  CipherCtx stream;  // RC4: one keystream across records
};

class Player {
 public:
  Player(std::uint8_t flags, tcp::ConnectionHandler& handler)
      : handler_(handler),
        choice_(kSuites[(flags >> 2) & 7]),
        version_(kVersions[flags & 3]),
        etm_((flags & 32) != 0 && choice_.kind == SuiteChoice::cbc),
        ems_((flags & 64) != 0) {
    suite_ = crypto::find_cipher_suite(choice_.id);
    fuzz_check(suite_ != nullptr, "a harness cipher suite is not in the registry");
    cipher_.reset(EVP_CIPHER_fetch(nullptr, choice_.cipher, nullptr));
    fuzz_check(cipher_ != nullptr, "a harness cipher is not available from OpenSSL");
    send_client_hello();
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
    if (d == 1 && !server_hello_sent_ && action != 6) send_server_hello();
    switch (action) {
      case 0: protect_and_send(d, content_type(op, payload), payload, false); break;
      case 1:
        if (!payload.empty()) send(d, Bytes(payload.begin(), payload.end()));
        break;
      case 2:
        protect_and_send(d, 20, std::vector<std::uint8_t>{1}, false);
        activate(d);
        break;
      case 3: send_finished(d); break;
      case 4:
        if (length > 0) {
          handler_.on_gap(static_cast<tcp::Side>(d), offset_[d], length, now_);
          offset_[d] += length;
        }
        break;
      case 5:
        if (!payload.empty()) send_handshake(d, payload[0], payload.subspan(1));
        break;
      case 6: step(d); break;
      default: protect_and_send(d, content_type(op, payload), payload, true); break;
    }
  }

  static std::uint8_t content_type(std::uint8_t op, Span payload) {
    switch ((op >> 4) & 3) {
      case 0: return 22;
      case 1: return 23;
      case 2: return 21;
      default: return payload.empty() ? 0 : payload[0];
    }
  }

  void step(int d) {
    if (d == 1) {
      send_server_hello();
    } else if (!client_key_exchange_sent_) {
      Bytes body;
      put16(body, 64);
      body.insert(body.end(), 64, 0x6b);  // an RSA-encrypted premaster the key log makes unnecessary
      send_handshake(0, 16, body);
      client_key_exchange_sent_ = true;
    } else {
      handshake_ = std::min(handshake_ + 1, kHandshakes - 1);
      send_client_hello();
    }
  }

  void send_client_hello() {
    transcript_.clear();
    server_hello_sent_ = false;
    client_key_exchange_sent_ = false;
    Bytes body;
    put16(body, version_);
    append(body, client_random(handshake_));
    body.push_back(0);  // no session id
    put16(body, 2);
    put16(body, choice_.id);
    body.push_back(1);
    body.push_back(0);
    append(body, hello_extensions(etm_, ems_));
    send_handshake(0, 1, body);
  }

  void send_server_hello() {
    if (server_hello_sent_) return;
    server_hello_sent_ = true;
    Bytes body;
    put16(body, version_);
    append(body, server_random(handshake_));
    body.push_back(32);
    body.insert(body.end(), 32, static_cast<std::uint8_t>(0x51 + handshake_));
    put16(body, choice_.id);
    body.push_back(0);
    append(body, hello_extensions(etm_, ems_));
    send_handshake(1, 2, body);
    send_handshake(1, 14, {});
    // The keys the next ChangeCipherSpec of each direction switches to.
    auto keys = crypto::derive_connection_keys(version_, *suite_, master_secret(handshake_),
                                               client_random(handshake_), server_random(handshake_));
    if (!keys.ok()) return;  // a suite the version does not allow (GCM in TLS 1.0): stay in the clear
    pending_[0] = {keys->client_key, keys->client_iv, keys->client_mac_key};
    pending_[1] = {keys->server_key, keys->server_iv, keys->server_mac_key};
    have_pending_ = true;
  }

  void send_finished(int d) {
    auto verify = crypto::finished_verify_data(version_, *suite_, master_secret(handshake_), d == 0, transcript_);
    if (verify.ok()) send_handshake(d, 20, *verify);
  }

  void send_handshake(int d, std::uint8_t type, Span body) {
    const Bytes message = handshake_message(type, body);
    append(transcript_, message);
    protect_and_send(d, 22, message, false);
  }

  void activate(int d) {
    if (!have_pending_) return;  // no keys yet: the harness keeps sending in the clear
    Protection& p = protection_[d];
    p.active = true;
    p.key = pending_[d][0];
    p.iv = pending_[d][1];
    p.mac_key = pending_[d][2];
    p.sequence = 0;
    p.stream.reset();
    if (choice_.kind == SuiteChoice::stream) {
      p.stream.reset(EVP_CIPHER_CTX_new());
      const bool ok = p.stream &&
                      EVP_EncryptInit_ex2(p.stream.get(), cipher_.get(), p.key.data(), nullptr, nullptr) == 1;
      fuzz_check(ok, "harness: RC4 setup failed");
    }
  }

  Bytes mac(const Protection& p, std::uint64_t sequence, std::uint8_t type, Span data) const {
    Bytes input;
    put64(input, sequence);
    input.push_back(type);
    put16(input, version_);
    put16(input, data.size());
    append(input, data);
    unsigned int length = 0;
    Bytes out(EVP_MAX_MD_SIZE);
    const EVP_MD* md = EVP_get_digestbyname(choice_.digest);
    fuzz_check(md != nullptr && HMAC(md, p.mac_key.data(), static_cast<int>(p.mac_key.size()), input.data(),
                                     input.size(), out.data(), &length) != nullptr,
               "harness: HMAC failed");
    out.resize(length);
    return out;
  }

  Bytes run_cipher(EVP_CIPHER_CTX* ctx, Span in) const {
    Bytes out(in.size() + 32);
    int n = 0;
    fuzz_check(EVP_EncryptUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1,
               "harness: encryption failed");
    out.resize(static_cast<std::size_t>(n));
    return out;
  }

  Bytes cbc_encrypt(Protection& p, Span plaintext, std::uint64_t sequence) {
    const auto block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher_.get()));
    Bytes iv;
    Bytes out;
    if (version_ >= 0x0302) {
      iv.assign(block, static_cast<std::uint8_t>(0x17 + sequence));  // explicit IV: any value
      out = iv;
    } else {
      iv = p.iv;  // TLS 1.0: chained
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    fuzz_check(ctx && EVP_EncryptInit_ex2(ctx.get(), cipher_.get(), p.key.data(), iv.data(), nullptr) == 1 &&
                   EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1,
               "harness: CBC setup failed");
    const Bytes ciphertext = run_cipher(ctx.get(), plaintext);
    append(out, ciphertext);
    if (version_ < 0x0302 && ciphertext.size() >= block) p.iv.assign(ciphertext.end() - block, ciphertext.end());
    return out;
  }

  static Bytes with_padding(Bytes data, std::size_t block) {
    const std::size_t pad = block - 1 - data.size() % block;
    data.insert(data.end(), pad + 1, static_cast<std::uint8_t>(pad));
    return data;
  }

  Bytes aead_encrypt(const Protection& p, std::uint8_t type, Span content, std::uint64_t sequence) const {
    Bytes nonce;
    Bytes out;
    if (choice_.kind == SuiteChoice::gcm) {
      nonce = p.iv;  // 4-byte salt
      put64(nonce, sequence);
      put64(out, sequence);  // explicit nonce
    } else {
      nonce = p.iv;  // 12 bytes, XOR the sequence number
      for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(sequence >> (8 * i));
    }
    Bytes aad;
    put64(aad, sequence);
    aad.push_back(type);
    put16(aad, version_);
    put16(aad, content.size());
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int n = 0;
    fuzz_check(ctx && EVP_EncryptInit_ex2(ctx.get(), cipher_.get(), nullptr, nullptr, nullptr) == 1 &&
                   EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) ==
                       1 &&
                   EVP_EncryptInit_ex2(ctx.get(), nullptr, p.key.data(), nonce.data(), nullptr) == 1 &&
                   EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1,
               "harness: AEAD setup failed");
    append(out, run_cipher(ctx.get(), content));
    Bytes tag(16);
    int m = 0;
    Bytes tail(16);
    fuzz_check(EVP_EncryptFinal_ex(ctx.get(), tail.data(), &m) == 1 &&
                   EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1,
               "harness: AEAD tag failed");
    append(out, tag);
    return out;
  }

  // `raw`: action 7 (the fuzzer wrote the CBC plaintext whole; no MAC for a stream cipher).
  void protect_and_send(int d, std::uint8_t type, Span content, bool raw) {
    Protection& p = protection_[d];
    if (content.size() > 0x4000 + 1024) content = content.first(0x4000 + 1024);  // the record length stays 16 bits
    Bytes fragment;
    if (!p.active) {
      fragment.assign(content.begin(), content.end());
    } else {
      const std::uint64_t sequence = p.sequence++;
      switch (choice_.kind) {
        case SuiteChoice::gcm:
        case SuiteChoice::chacha: fragment = aead_encrypt(p, type, content, sequence); break;
        case SuiteChoice::stream: {
          Bytes plain(content.begin(), content.end());
          if (!raw) append(plain, mac(p, sequence, type, content));
          fragment = run_cipher(p.stream.get(), plain);
          break;
        }
        case SuiteChoice::cbc: {
          const auto block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher_.get()));
          if (raw) {
            Bytes plain(content.begin(), content.end());
            plain.resize(std::max(block, plain.size() / block * block));
            fragment = cbc_encrypt(p, plain, sequence);
          } else if (etm_) {
            fragment = cbc_encrypt(p, with_padding(Bytes(content.begin(), content.end()), block), sequence);
            append(fragment, mac(p, sequence, type, fragment));
          } else {
            Bytes plain(content.begin(), content.end());
            append(plain, mac(p, sequence, type, content));
            fragment = cbc_encrypt(p, with_padding(std::move(plain), block), sequence);
          }
          break;
        }
      }
    }
    Bytes record{type};
    put16(record, version_);
    put16(record, fragment.size());
    append(record, fragment);
    send(d, record);
  }

  void send(int d, const Bytes& bytes) {
    handler_.on_data(static_cast<tcp::Side>(d), bytes, offset_[d], now_);
    offset_[d] += bytes.size();
  }

  tcp::ConnectionHandler& handler_;
  const SuiteChoice& choice_;
  const std::uint16_t version_;
  const bool etm_;
  const bool ems_;
  const crypto::CipherSuite* suite_ = nullptr;
  std::unique_ptr<EVP_CIPHER, CipherFree> cipher_;
  int handshake_ = 0;
  Bytes transcript_;
  bool server_hello_sent_ = false;
  bool client_key_exchange_sent_ = false;
  bool have_pending_ = false;
  std::array<std::array<Bytes, 3>, 2> pending_;  // per direction: key, iv, MAC key
  Protection protection_[2];
  std::uint64_t offset_[2] = {0, 0};
  std::int64_t now_ = kScriptStartNs;
};

}  // namespace

std::string tls12_key_log() {
  std::string text;
  for (int i = 0; i < kHandshakes; ++i) {
    text += "CLIENT_RANDOM " + script_hex(client_random(i)) + " " + script_hex(master_secret(i)) + "\n";
  }
  return text;
}

std::int64_t play_tls12_script(std::span<const std::uint8_t> input, tcp::ConnectionHandler& handler) {
  Player player(input.empty() ? 0 : input[0], handler);
  if (!input.empty()) player.play(input.subspan(1));
  return player.now();
}

}  // namespace tlsring::fuzz
