// RecordCipher on records built by hand in the test, for what libssl in this
// build cannot produce (RC4, DES, 3DES, SSL 3.0 padding, TLS 1.3 padding and
// header AAD) and for the error paths. Each record is encrypted here with raw
// EVP calls following the RFC text, then decrypted by the code under test.
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/crypto/cipher_suite.h"
#include "core/crypto/providers.h"
#include "core/crypto/record_cipher.h"
#include "test_bytes.h"

using namespace tlsring::crypto;
using namespace tlsring::crypto::test;

namespace {

using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const CipherSuite& suite(std::uint16_t id) {
  const CipherSuite* s = find_cipher_suite(id);
  REQUIRE(s != nullptr);
  return *s;
}

Bytes counting(std::uint8_t first, std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(first + i * 3);
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes u64(std::uint64_t v) {
  Bytes out(8);
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<std::uint8_t>(v);
  return out;
}
Bytes u16(std::size_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }

Bytes header(std::uint8_t type, std::uint16_t version, std::size_t length) {
  return concat({{type}, u16(version), u16(length)});
}

// RFC 5246 6.2.3.1: HMAC(MAC_write_key, seq_num + type + version + length + content).
Bytes tls_mac(const char* digest, const Bytes& key, std::uint64_t seq, std::uint8_t type, std::uint16_t version,
              const Bytes& content) {
  const Bytes input = concat({u64(seq), {type}, u16(version), u16(content.size()), content});
  Bytes out(EVP_MAX_MD_SIZE);
  std::size_t length = 0;
  REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.data(), key.size(), input.data(), input.size(),
                    out.data(), out.size(), &length) != nullptr);
  out.resize(length);
  return out;
}

// RFC 6101 5.2.3.1: hash(secret + pad_2 + hash(secret + pad_1 + seq_num + type + length + content)).
Bytes ssl3_sha1_mac(const Bytes& secret, std::uint64_t seq, std::uint8_t type, const Bytes& content) {
  auto sha1 = [](const Bytes& in) {
    Bytes out(20);
    REQUIRE(EVP_Digest(in.data(), in.size(), out.data(), nullptr, EVP_sha1(), nullptr) == 1);
    return out;
  };
  const Bytes inner = sha1(concat({secret, Bytes(40, 0x36), u64(seq), {type}, u16(content.size()), content}));
  return sha1(concat({secret, Bytes(40, 0x5c), inner}));
}

CtxPtr encryptor(const char* name, const Bytes& key, const Bytes& iv) {
  REQUIRE(ensure_crypto_providers().ok());
  std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr),
                                                                 EVP_CIPHER_free);
  REQUIRE(cipher);
  CtxPtr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  REQUIRE(EVP_EncryptInit_ex2(ctx.get(), cipher.get(), key.data(), iv.empty() ? nullptr : iv.data(), nullptr) == 1);
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  return ctx;
}

Bytes encrypt(EVP_CIPHER_CTX* ctx, const Bytes& in, const Bytes& iv = {}) {
  if (!iv.empty()) REQUIRE(EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv.data(), nullptr) == 1);
  Bytes out(in.size() + 32);
  int n = 0;
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// data + padding + padding_length, every padding byte holding the padding
// length (RFC 5246 6.2.3.2), with `extra_blocks` more blocks than needed.
Bytes tls_padded(const Bytes& data, std::size_t block, std::size_t extra_blocks = 0) {
  const std::size_t padding = (block - (data.size() + 1) % block) % block + extra_blocks * block;
  Bytes out = data;
  out.insert(out.end(), padding + 1, static_cast<std::uint8_t>(padding));
  return out;
}

std::unique_ptr<RecordCipher> make(tlsring::Result<std::unique_ptr<RecordCipher>> r) {
  if (!r) FAIL(r.error().message);
  return std::move(*r);
}

std::string text(std::span<const std::uint8_t> b) { return std::string(b.begin(), b.end()); }
Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("RC4-128: hand-built records, and a failed record leaves the keystream where it was", "[crypto][record]") {
  struct Case {
    std::uint16_t suite;
    std::uint16_t version;
    const char* digest;
  };
  for (Case c : {Case{0x0005, 0x0301, "SHA1"}, Case{0x0004, 0x0303, "MD5"}}) {
    INFO(cipher_suite_name(c.suite) << " " << version_name(c.version));
    const Bytes key = counting(0x11, 16);
    const Bytes mac_key = counting(0x22, c.suite == 0x0004 ? 16 : 20);
    auto sender = encryptor("RC4", key, {});
    const std::vector<std::string> messages = {"GET / HTTP/1.0\r\n\r\n", "", "second record, a little longer"};
    std::vector<Bytes> records;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const Bytes content = bytes(messages[i]);
      records.push_back(
          encrypt(sender.get(), concat({content, tls_mac(c.digest, mac_key, i, 23, c.version, content)})));
    }
    auto cipher = make(RecordCipher::create(c.version, suite(c.suite), key, {}, mac_key, false));
    Bytes out;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Bytes hdr = header(23, c.version, records[i].size());
      // Flip a bit, then try the wrong sequence number: both fail, neither moves the keystream.
      Bytes tampered = records[i];
      tampered.back() ^= 0x80;
      CHECK_FALSE(cipher->decrypt(hdr, i, tampered, out).ok());
      CHECK_FALSE(cipher->decrypt(hdr, i + 1, records[i], out).ok());
      auto plain = cipher->decrypt(hdr, i, records[i], out);
      REQUIRE(plain.ok());
      CHECK(plain->content_type == 23);
      CHECK(text(plain->plaintext) == messages[i]);
    }
  }
}

TEST_CASE("DES and 3DES CBC: TLS 1.0 IV chain, TLS 1.1+ explicit IV, encrypt-then-MAC", "[crypto][record]") {
  const Bytes mac_key = counting(0x33, 20);
  const std::vector<std::string> messages = {"first", "", std::string(40, 'x'), "last record"};

  SECTION("TLS 1.0 DES-CBC-SHA: the IV of each record is the last ciphertext block of the one before") {
    const Bytes key = counting(0x44, 8);
    const Bytes iv = counting(0x55, 8);
    auto sender = encryptor("DES-CBC", key, iv);
    std::vector<Bytes> records;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const Bytes content = bytes(messages[i]);
      // The sender context carries the chain: no re-init between records.
      records.push_back(
          encrypt(sender.get(), tls_padded(concat({content, tls_mac("SHA1", mac_key, i, 23, 0x0301, content)}), 8,
                                           i % 2)));
    }
    auto cipher = make(RecordCipher::create(0x0301, suite(0x0009), key, iv, mac_key, false));
    Bytes out;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const Bytes hdr = header(23, 0x0301, records[i].size());
      Bytes tampered = records[i];
      tampered[tampered.size() - 9] ^= 0x01;  // second-to-last block: garbles the MAC or padding
      CHECK_FALSE(cipher->decrypt(hdr, i, tampered, out).ok());
      auto plain = cipher->decrypt(hdr, i, records[i], out);
      REQUIRE(plain.ok());
      CHECK(text(plain->plaintext) == messages[i]);
    }
  }

  SECTION("TLS 1.2 3DES-EDE-CBC-SHA, explicit IV, MAC-then-encrypt and encrypt-then-MAC") {
    const Bytes key = counting(0x66, 24);
    for (bool etm : {false, true}) {
      INFO("encrypt_then_mac " << etm);
      auto sender = encryptor("DES-EDE3-CBC", key, Bytes(8, 0));
      auto cipher = make(RecordCipher::create(0x0303, suite(0x000A), key, {}, mac_key, etm));
      Bytes out;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        const Bytes content = bytes(messages[i]);
        const Bytes record_iv = counting(static_cast<std::uint8_t>(0x70 + i), 8);
        Bytes record;
        if (etm) {
          // RFC 7366: MAC over seq + type + version + length(IV + ciphertext) + IV + ciphertext.
          const Bytes body = concat({record_iv, encrypt(sender.get(), tls_padded(content, 8), record_iv)});
          record = concat({body, tls_mac("SHA1", mac_key, i, 23, 0x0303, body)});
        } else {
          const Bytes inner = tls_padded(concat({content, tls_mac("SHA1", mac_key, i, 23, 0x0303, content)}), 8);
          record = concat({record_iv, encrypt(sender.get(), inner, record_iv)});
        }
        const Bytes hdr = header(23, 0x0303, record.size());
        Bytes tampered = record;
        tampered[3] ^= 0x04;  // in the explicit IV
        CHECK_FALSE(cipher->decrypt(hdr, i, tampered, out).ok());
        auto plain = cipher->decrypt(hdr, i, record, out);
        REQUIRE(plain.ok());
        CHECK(text(plain->plaintext) == messages[i]);
      }
    }
  }

  SECTION("TLS padding: 253 bytes of padding is valid, one wrong padding byte is not") {
    const Bytes key = counting(0x66, 24);
    auto cipher = make(RecordCipher::create(0x0302, suite(0x000A), key, {}, mac_key, false));
    const Bytes content = bytes("padded");
    const Bytes record_iv = counting(0x01, 8);
    // 6 + 20 MAC = 26 bytes; 5 + 8 * 31 = 253 bytes of padding, the most that fits in one length byte.
    const Bytes good = tls_padded(concat({content, tls_mac("SHA1", mac_key, 0, 23, 0x0302, content)}), 8, 31);
    REQUIRE(good.back() == 253);
    auto sender = encryptor("DES-EDE3-CBC", key, Bytes(8, 0));
    const Bytes record = concat({record_iv, encrypt(sender.get(), good, record_iv)});
    Bytes out;
    auto plain = cipher->decrypt(header(23, 0x0302, record.size()), 0, record, out);
    REQUIRE(plain.ok());
    CHECK(text(plain->plaintext) == "padded");

    Bytes bad = good;
    bad[bad.size() - 100] ^= 0x01;  // one padding byte
    const Bytes bad_record = concat({record_iv, encrypt(sender.get(), bad, record_iv)});
    CHECK_FALSE(cipher->decrypt(header(23, 0x0302, bad_record.size()), 0, bad_record, out).ok());
  }
}

TEST_CASE("SSL 3.0 CBC: any padding bytes, but fewer than a block", "[crypto][record]") {
  const Bytes key = counting(0x66, 24);
  const Bytes iv = counting(0x07, 8);
  const Bytes mac_key = counting(0x33, 20);
  const Bytes content = bytes("ssl3 record");  // 11 + 20 MAC = 31, one byte short of 4 blocks
  auto build = [&](std::size_t padding) {
    Bytes inner = concat({content, ssl3_sha1_mac(mac_key, 0, 23, content)});
    for (std::size_t i = 0; i < padding; ++i) inner.push_back(static_cast<std::uint8_t>(0xA0 + i));  // arbitrary
    inner.push_back(static_cast<std::uint8_t>(padding));
    REQUIRE(inner.size() % 8 == 0);
    auto sender = encryptor("DES-EDE3-CBC", key, iv);
    return encrypt(sender.get(), inner);
  };
  Bytes out;
  {
    auto cipher = make(RecordCipher::create(0x0300, suite(0x000A), key, iv, mac_key, false));
    const Bytes record = build(0);
    auto plain = cipher->decrypt(header(23, 0x0300, record.size()), 0, record, out);
    REQUIRE(plain.ok());
    CHECK(text(plain->plaintext) == "ssl3 record");
  }
  {
    // 8 bytes of padding plus the length byte is a whole extra block: RFC 6101 forbids it.
    auto cipher = make(RecordCipher::create(0x0300, suite(0x000A), key, iv, mac_key, false));
    const Bytes record = build(8);
    CHECK_FALSE(cipher->decrypt(header(23, 0x0300, record.size()), 0, record, out).ok());
  }
  CHECK_FALSE(RecordCipher::create(0x0300, suite(0x000A), key, iv, mac_key, true).ok());  // no EtM in SSL 3.0
}

TEST_CASE("TLS 1.3 record: inner content type, zero padding, header as AAD (RFC) or none (draft 20)",
          "[crypto][record]") {
  const CipherSuite& aes128 = suite(0x1301);
  const Bytes key = counting(0x10, 16);
  const Bytes iv = counting(0x20, 12);
  // RFC 8446 5.3: nonce = iv XOR seq (left-padded); 5.2: AAD = the record header.
  auto seal = [&](std::uint64_t seq, const Bytes& inner, const Bytes& aad) {
    Bytes nonce = iv;
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    auto ctx = encryptor("AES-128-GCM", key, nonce);
    int n = 0;
    if (!aad.empty()) REQUIRE(EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1);
    Bytes out = encrypt(ctx.get(), inner);
    Bytes tag(16);
    REQUIRE(EVP_EncryptFinal_ex(ctx.get(), tag.data(), &n) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
    return concat({out, tag});
  };
  const Bytes inner = concat({bytes("hello"), {22}, Bytes(7, 0)});  // handshake type, 7 bytes of padding
  const Bytes hdr = header(23, 0x0303, inner.size() + 16);
  Bytes out;

  auto rfc = make(RecordCipher::create_tls13(aes128, key, iv));
  const Bytes record = seal(5, inner, hdr);
  auto plain = rfc->decrypt(hdr, 5, record, out);
  REQUIRE(plain.ok());
  CHECK(plain->content_type == 22);
  CHECK(text(plain->plaintext) == "hello");
  Bytes other_header = hdr;
  other_header[2] = 0x01;  // the header is authenticated
  CHECK_FALSE(rfc->decrypt(other_header, 5, record, out).ok());
  CHECK_FALSE(rfc->decrypt(hdr, 4, record, out).ok());

  auto draft20 = make(RecordCipher::create_tls13(aes128, key, iv, 0x7f14));
  const Bytes draft_record = seal(0, inner, {});
  CHECK(draft20->decrypt(hdr, 0, draft_record, out).ok());
  CHECK(draft20->decrypt(other_header, 0, draft_record, out).ok());  // drafts < 25: no AAD
  CHECK_FALSE(rfc->decrypt(hdr, 0, draft_record, out).ok());

  const Bytes all_padding = seal(1, Bytes(9, 0), hdr);
  CHECK_FALSE(rfc->decrypt(hdr, 1, all_padding, out).ok());  // no content type at all
  CHECK_FALSE(rfc->decrypt(hdr, 1, Bytes(16, 0), out).ok());   // tag only
  CHECK_FALSE(rfc->decrypt(Bytes(4, 0), 1, record, out).ok()); // short header
}

// AES-GCM sets the fixed part of the nonce once per cipher and only the part
// that changes with each record (the explicit nonce, or the IV XOR the
// sequence number) per record: records decrypt one after another on the one
// cipher, with sequence numbers that reach every byte of that part, and a
// record that fails leaves nothing behind for the next.
TEST_CASE("AES-GCM: many records on one cipher, failures in between, all 8 sequence bytes", "[crypto][record]") {
  const Bytes key = counting(0x31, 16);
  auto seal = [&](const Bytes& nonce, const Bytes& aad, const Bytes& plain) {
    auto ctx = encryptor("AES-128-GCM", key, nonce);
    int n = 0;
    REQUIRE(EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1);
    Bytes out = encrypt(ctx.get(), plain);
    Bytes tag(16);
    REQUIRE(EVP_EncryptFinal_ex(ctx.get(), tag.data(), &n) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
    return concat({out, tag});
  };
  const std::uint64_t sequences[] = {0, 1, 2, 0x1ff, 0x0102030405060708ULL, 0xfedcba9876543210ULL, 3};
  Bytes out;

  SECTION("TLS 1.3: nonce = IV XOR sequence number") {
    const Bytes iv = counting(0x41, 12);
    auto cipher = make(RecordCipher::create_tls13(suite(0x1301), key, iv));
    for (std::uint64_t seq : sequences) {
      Bytes nonce = iv;
      for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
      const Bytes plain = concat({bytes("record " + std::to_string(seq)), {23}});
      const Bytes hdr = header(23, 0x0303, plain.size() + 16);
      const Bytes record = seal(nonce, hdr, plain);
      CHECK_FALSE(cipher->decrypt(hdr, seq + 1, record, out).ok());  // a wrong guess first
      Bytes bad = record;
      bad.back() ^= 1;
      CHECK_FALSE(cipher->decrypt(hdr, seq, bad, out).ok());  // a bad tag
      auto result = cipher->decrypt(hdr, seq, record, out);
      REQUIRE(result.ok());
      CHECK(text(result->plaintext) == "record " + std::to_string(seq));
      CHECK(result->content_type == 23);
    }
  }
  SECTION("TLS 1.2: nonce = salt + explicit nonce, AAD = sequence number + header") {
    const Bytes salt = counting(0x51, 4);
    auto cipher = make(RecordCipher::create(0x0303, suite(0x009c), key, salt, {}, false));
    for (std::uint64_t seq : sequences) {
      const Bytes explicit_nonce = u64(seq ^ 0x5a5a5a5a5a5a5a5aULL);
      const Bytes plain = bytes("record " + std::to_string(seq));
      const Bytes aad = concat({u64(seq), {23}, u16(0x0303), u16(plain.size())});
      const Bytes fragment = concat({explicit_nonce, seal(concat({salt, explicit_nonce}), aad, plain)});
      const Bytes hdr = header(23, 0x0303, fragment.size());
      CHECK_FALSE(cipher->decrypt(hdr, seq + 1, fragment, out).ok());  // the sequence number is in the AAD
      auto result = cipher->decrypt(hdr, seq, fragment, out);
      REQUIRE(result.ok());
      CHECK(text(result->plaintext) == "record " + std::to_string(seq));
    }
  }
}

TEST_CASE("RecordCipher::create refuses what it cannot do", "[crypto][record]") {
  const Bytes k16 = counting(1, 16);
  const Bytes k20 = counting(1, 20);
  CHECK_FALSE(RecordCipher::create(0x0303, suite(0xC050), k16, counting(1, 4), {}, false).ok());  // ARIA
  CHECK_FALSE(RecordCipher::create(0x0303, suite(0x002F), counting(1, 15), {}, k20, false).ok());  // key length
  CHECK_FALSE(RecordCipher::create(0x0301, suite(0x002F), k16, {}, k20, false).ok());  // TLS 1.0 needs the IV
  CHECK_FALSE(RecordCipher::create(0x0303, suite(0x002F), k16, {}, counting(1, 16), false).ok());  // MAC key
  CHECK_FALSE(RecordCipher::create(0x0304, suite(0x1301), k16, counting(1, 12), {}, false).ok());  // use create_tls13
  CHECK_FALSE(RecordCipher::create_tls13(suite(0x002F), k16, counting(1, 12)).ok());
  CHECK_FALSE(RecordCipher::create_tls13(suite(0x1301), k16, counting(1, 8)).ok());
  CHECK_FALSE(RecordCipher::create_tls13(suite(0x1301), k16, counting(1, 12), 0x0303).ok());

  auto cbc = make(RecordCipher::create(0x0303, suite(0x002F), k16, {}, k20, false));
  Bytes out;
  CHECK_FALSE(cbc->decrypt(header(23, 0x0303, 47), 0, Bytes(47, 0), out).ok());  // not whole blocks
  CHECK_FALSE(cbc->decrypt(header(23, 0x0303, 16), 0, Bytes(16, 0), out).ok());  // IV only
  auto gcm = make(RecordCipher::create(0x0303, suite(0x009C), k16, counting(1, 4), {}, false));
  CHECK_FALSE(gcm->decrypt(header(23, 0x0303, 23), 0, Bytes(23, 0), out).ok());  // < 8 + 16
}
