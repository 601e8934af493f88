// CBC record protection (RFC 6101 §5.2.3.2, RFC 2246/4346/5246 §6.2.3.2) with
// MAC-then-encrypt, or encrypt-then-MAC when RFC 7366 was negotiated.
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/crypto/openssl_error.h"
#include "core/crypto/record_cipher_impl.h"
#include "core/crypto/record_mac.h"

namespace tlsring::crypto {
namespace {

constexpr std::size_t kMaxBlock = 16;

class CbcRecordCipher final : public RecordCipher {
 public:
  CbcRecordCipher(std::uint16_t version, std::size_t block, bool encrypt_then_mac, RecordMac mac, CipherCtxPtr ctx,
                  Bytes iv)
      : ssl3_(version == 0x0300),
        explicit_iv_(version >= 0x0302),
        encrypt_then_mac_(encrypt_then_mac),
        block_(block),
        mac_(std::move(mac)),
        ctx_(std::move(ctx)) {
    std::copy(iv.begin(), iv.end(), iv_.begin());
  }

  Result<DecryptedRecord> decrypt(std::span<const std::uint8_t> header, std::uint64_t sequence_number,
                                  std::span<const std::uint8_t> fragment, std::vector<std::uint8_t>& out) override {
    auto hdr = split_header(header);
    if (!hdr) return hdr.error();
    const std::size_t mac_length = mac_.length();
    std::array<std::uint8_t, RecordMac::kMaxLength> expected{};

    Bytes body = fragment;  // what is encrypted, with the explicit IV in front
    if (encrypt_then_mac_) {
      // RFC 7366 §3: the MAC covers the IV and ciphertext, and is checked before decrypting.
      if (fragment.size() < mac_length) return make_error("record is shorter than its MAC");
      body = fragment.first(fragment.size() - mac_length);
      if (Status st = mac_.compute(sequence_number, hdr->type, hdr->version, body, expected.data()); !st) {
        return st.error();
      }
      if (CRYPTO_memcmp(expected.data(), fragment.data() + body.size(), mac_length) != 0) {
        return make_error("bad record MAC");
      }
    }

    const std::size_t iv_length = explicit_iv_ ? block_ : 0;
    if (body.size() < iv_length) return make_error("CBC record is shorter than its IV");
    const Bytes ciphertext = body.subspan(iv_length);
    const std::size_t minimum = encrypt_then_mac_ ? block_ : std::max(block_, mac_length + 1);
    if (ciphertext.size() < minimum || ciphertext.size() % block_ != 0) {
      return make_error("CBC record length is not a positive multiple of the block size");
    }

    // An explicit IV is decrypted along with the record, whatever the context's
    // IV: in CBC each plaintext block depends on its own and the previous
    // ciphertext block only, so all but the first output block (dropped) come
    // out right. That spares a cipher re-initialisation per record, which in
    // OpenSSL 3 costs more than decrypting a short record. A chained IV is set.
    output_room(out, body.size());
    int written = 0;
    if ((!explicit_iv_ && EVP_DecryptInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv_.data()) != 1) ||
        EVP_DecryptUpdate(ctx_.get(), out.data(), &written, body.data(), static_cast<int>(body.size())) != 1 ||
        static_cast<std::size_t>(written) != body.size()) {
      return openssl_error("CBC decryption failed");
    }
    std::uint8_t* const decrypted = out.data() + iv_length;

    auto content_length = strip_padding(std::span<const std::uint8_t>(decrypted, ciphertext.size()),
                                        encrypt_then_mac_ ? 0 : mac_length);
    if (!content_length) return content_length.error();
    const std::size_t plain_length = *content_length;

    if (!encrypt_then_mac_) {
      const Bytes plain(decrypted, plain_length);
      if (Status st = mac_.compute(sequence_number, hdr->type, hdr->version, plain, expected.data()); !st) {
        return st.error();
      }
      if (CRYPTO_memcmp(expected.data(), decrypted + plain_length, mac_length) != 0) {
        return make_error("bad record MAC");
      }
    }

    if (!explicit_iv_) {
      // SSL 3.0 / TLS 1.0 chain the IV across records; only a verified record moves it.
      std::memcpy(iv_.data(), ciphertext.data() + ciphertext.size() - block_, block_);
    }
    return DecryptedRecord{hdr->type, std::span<const std::uint8_t>(decrypted, plain_length)};
  }

  bool chains_records() const override { return !explicit_iv_; }

  bool resynchronize(std::span<const std::uint8_t> fragment) override {
    if (explicit_iv_) return true;
    // The next record's IV is this record's last ciphertext block, wherever its MAC is.
    const std::size_t mac_length = encrypt_then_mac_ ? std::min(fragment.size(), mac_.length()) : 0;
    const std::size_t body = fragment.size() - mac_length;
    if (body < block_ || body % block_ != 0) return false;
    std::memcpy(iv_.data(), fragment.data() + body - block_, block_);
    return true;
  }

 private:
  // `decrypted` = content + MAC (mac_length bytes, 0 for encrypt-then-MAC) +
  // padding + padding_length. Returns the content length.
  Result<std::size_t> strip_padding(Bytes decrypted, std::size_t mac_length) const {
    const std::size_t padding = decrypted.back();
    if (padding + 1 + mac_length > decrypted.size()) return make_error("bad CBC padding length");
    if (ssl3_) {
      // RFC 6101: the padding bytes are arbitrary, only their count is bounded.
      if (padding >= block_) return make_error("bad SSL 3.0 padding length");
    } else {
      // TLS: every padding byte holds the padding length. Accumulate instead of
      // returning early, so the check does not stop at the first bad byte.
      std::uint8_t diff = 0;
      for (std::size_t i = decrypted.size() - 1 - padding; i < decrypted.size() - 1; ++i) {
        diff |= static_cast<std::uint8_t>(decrypted[i] ^ padding);
      }
      if (diff != 0) return make_error("bad CBC padding");
    }
    return decrypted.size() - 1 - padding - mac_length;
  }

  bool ssl3_;
  bool explicit_iv_;
  bool encrypt_then_mac_;
  std::size_t block_;
  RecordMac mac_;
  CipherCtxPtr ctx_;
  std::array<std::uint8_t, kMaxBlock> iv_{};  // the chained IV (SSL 3.0 / TLS 1.0)
};

}  // namespace

RecordCipherResult make_cbc_cipher(std::uint16_t version, const CipherSuite& suite, Bytes key, Bytes iv,
                                   Bytes mac_key, bool encrypt_then_mac) {
  auto mac = RecordMac::create(version, suite.mac, mac_key);
  if (!mac) return mac.error();
  auto cipher = fetch_cipher(suite.cipher);
  if (!cipher) return cipher.error();
  const auto block = static_cast<std::size_t>(EVP_CIPHER_get_block_size(cipher->get()));
  if (block == 0 || block > kMaxBlock) return make_error("unexpected CBC block size");
  if (version <= 0x0301 && iv.size() != block) return make_error("CBC IV must be one block");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher->get(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_get_key_length(ctx.get()) != static_cast<int>(key.size()) ||
      EVP_DecryptInit_ex2(ctx.get(), nullptr, key.data(), nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return openssl_error(std::string("key setup for ") + std::string(suite.name) + " failed");
  }
  return std::unique_ptr<RecordCipher>(std::make_unique<CbcRecordCipher>(
      version, block, encrypt_then_mac, std::move(*mac), std::move(ctx), iv));
}

}  // namespace tlsring::crypto
