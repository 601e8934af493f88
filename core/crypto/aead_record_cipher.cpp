// AEAD record protection: TLS 1.2 AES-GCM/CCM (RFC 5288, 6655: 4-byte implicit
// salt + 8-byte explicit nonce, AAD = seq + type + version + length),
// ChaCha20-Poly1305 (RFC 7905: nonce = iv XOR seq) and TLS 1.3 (RFC 8446 §5.2:
// nonce = iv XOR seq, AAD = record header, inner content type).
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/crypto/openssl_error.h"
#include "core/crypto/record_cipher_impl.h"

namespace tlsring::crypto {
namespace {

constexpr std::size_t kNonceLength = 12;

enum class Mode { gcm, ccm, chacha };
enum class Aad { tls12, record_header, none };

Mode mode_of(BulkCipher c) {
  switch (c) {
    case BulkCipher::aes_128_ccm:
    case BulkCipher::aes_256_ccm:
    case BulkCipher::aes_128_ccm_8:
    case BulkCipher::aes_256_ccm_8: return Mode::ccm;
    case BulkCipher::chacha20_poly1305: return Mode::chacha;
    default: return Mode::gcm;
  }
}

// AES-GCM's nonce is a 4-byte part fixed for the connection and an 8-byte
// part that changes with each record (TLS 1.2: the explicit nonce; TLS 1.3:
// the IV's last 8 bytes XOR the sequence number).
constexpr std::size_t kGcmFixedNonceLength = 4;
constexpr std::size_t kGcmRecordNonceLength = kNonceLength - kGcmFixedNonceLength;

struct AeadLayout {
  Mode mode = Mode::gcm;
  Aad aad = Aad::tls12;
  std::size_t tag_length = 16;
  std::size_t explicit_nonce_length = 0;  // 8 for TLS 1.2 GCM/CCM
  bool inner_content_type = false;        // TLS 1.3
};

class AeadRecordCipher final : public RecordCipher {
 public:
  // `gcm_fixed_nonce_set`: the context holds the fixed part of the GCM nonce
  // (see open()).
  AeadRecordCipher(AeadLayout layout, CipherCtxPtr ctx, Bytes iv, bool gcm_fixed_nonce_set)
      : layout_(layout), ctx_(std::move(ctx)), gcm_fixed_nonce_set_(gcm_fixed_nonce_set) {
    std::copy(iv.begin(), iv.end(), iv_.begin());
    iv_length_ = iv.size();
  }

  Result<DecryptedRecord> decrypt(std::span<const std::uint8_t> header, std::uint64_t sequence_number,
                                  std::span<const std::uint8_t> fragment, std::vector<std::uint8_t>& out) override {
    auto hdr = split_header(header);
    if (!hdr) return hdr.error();
    const std::size_t overhead = layout_.explicit_nonce_length + layout_.tag_length;
    if (fragment.size() < overhead + (layout_.inner_content_type ? 1 : 0)) {
      return make_error("AEAD record is shorter than its nonce and tag");
    }
    const Bytes ciphertext = fragment.subspan(layout_.explicit_nonce_length, fragment.size() - overhead);
    const Bytes tag = fragment.last(layout_.tag_length);

    std::array<std::uint8_t, kNonceLength> nonce{};
    if (layout_.explicit_nonce_length != 0) {
      std::memcpy(nonce.data(), iv_.data(), iv_length_);
      std::memcpy(nonce.data() + iv_length_, fragment.data(), layout_.explicit_nonce_length);
    } else {
      // The 64-bit sequence number, left-padded to the IV length, XORed into the IV.
      nonce = iv_;
      for (std::size_t i = 0; i < 8; ++i) {
        nonce[kNonceLength - 1 - i] ^= static_cast<std::uint8_t>(sequence_number >> (8 * i));
      }
    }

    std::array<std::uint8_t, 13> aad{};
    std::size_t aad_length = 0;
    switch (layout_.aad) {
      case Aad::tls12:
        for (std::size_t i = 0; i < 8; ++i) aad[7 - i] = static_cast<std::uint8_t>(sequence_number >> (8 * i));
        aad[8] = hdr->type;
        aad[9] = hdr->version[0];
        aad[10] = hdr->version[1];
        aad[11] = static_cast<std::uint8_t>(ciphertext.size() >> 8);
        aad[12] = static_cast<std::uint8_t>(ciphertext.size());
        aad_length = 13;
        break;
      case Aad::record_header:
        std::memcpy(aad.data(), header.data(), header.size());
        aad_length = header.size();
        break;
      case Aad::none:
        break;
    }

    if (!open(nonce, Bytes(aad.data(), aad_length), ciphertext, tag, output_room(out, ciphertext.size()))) {
      // A failed tag is an expected event here (a retry with another sequence
      // number may follow); do not leave it on the thread's error queue.
      ERR_clear_error();
      return make_error("AEAD authentication failed (bad key, nonce or tampered record)");
    }

    std::size_t plain_length = ciphertext.size();
    std::uint8_t content_type = hdr->type;
    if (layout_.inner_content_type) {
      // TLSInnerPlaintext: content, the real type, then zero padding.
      while (plain_length > 0 && out[plain_length - 1] == 0) --plain_length;
      if (plain_length == 0) return make_error("TLS 1.3 record has no inner content type");
      content_type = out[--plain_length];
    }
    return DecryptedRecord{content_type, std::span<const std::uint8_t>(out.data(), plain_length)};
  }

 private:
  // Decrypts and authenticates in place on the reused context. The nonce is
  // set afresh for each record, so a failure leaves nothing behind.
  bool open(const std::array<std::uint8_t, kNonceLength>& nonce, Bytes aad, Bytes ciphertext, Bytes tag,
            std::uint8_t* plain) {
    EVP_CIPHER_CTX* ctx = ctx_.get();
    void* tag_data = const_cast<std::uint8_t*>(tag.data());
    const int tag_length = static_cast<int>(tag.size());
    const int length = static_cast<int>(ciphertext.size());
    int written = 0;
    if (gcm_fixed_nonce_set_) {
      // One parameter call per record: the nonce's record part (the call
      // libssl makes for TLS 1.2 GCM) and the tag. Setting the nonce through
      // EVP_DecryptInit_ex asks the provider for the IV length each time, and
      // the tag through EVP_CIPHER_CTX_ctrl is a parameter call of its own:
      // OpenSSL 3.0 looks every parameter name up by string compare.
      auto* record_nonce = const_cast<std::uint8_t*>(nonce.data() + kGcmFixedNonceLength);
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV, record_nonce,
                                            kGcmRecordNonceLength),
          OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag_data, tag.size()),
          OSSL_PARAM_construct_end()};
      if (EVP_CIPHER_CTX_set_params(ctx, params) != 1) return false;
    } else {
      if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1) return false;
      if (layout_.mode == Mode::ccm) {
        // CCM authenticates in the one update over the whole ciphertext; it
        // needs the tag and the total length before the AAD.
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_length, tag_data) != 1 ||
            EVP_DecryptUpdate(ctx, nullptr, &written, nullptr, length) != 1) {
          return false;
        }
        if (!aad.empty() && EVP_DecryptUpdate(ctx, nullptr, &written, aad.data(), static_cast<int>(aad.size())) != 1) {
          return false;
        }
        return EVP_DecryptUpdate(ctx, plain, &written, ciphertext.data(), length) == 1 && written == length;
      }
    }
    if (!aad.empty() && EVP_DecryptUpdate(ctx, nullptr, &written, aad.data(), static_cast<int>(aad.size())) != 1) {
      return false;
    }
    if (length > 0) {
      if (EVP_DecryptUpdate(ctx, plain, &written, ciphertext.data(), length) != 1 || written != length) return false;
    }
    if (!gcm_fixed_nonce_set_ && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_length, tag_data) != 1) {
      return false;
    }
    int final_written = 0;
    return EVP_DecryptFinal_ex(ctx, plain + length, &final_written) == 1 && final_written == 0;
  }

  AeadLayout layout_;
  CipherCtxPtr ctx_;
  bool gcm_fixed_nonce_set_ = false;
  std::array<std::uint8_t, kNonceLength> iv_{};
  std::size_t iv_length_ = 0;
};

RecordCipherResult make_aead(const CipherSuite& suite, Bytes key, Bytes iv, AeadLayout layout) {
  auto cipher = fetch_cipher(suite.cipher);
  if (!cipher) return cipher.error();
  const bool ccm_8 = suite.cipher == BulkCipher::aes_128_ccm_8 || suite.cipher == BulkCipher::aes_256_ccm_8;
  layout.mode = mode_of(suite.cipher);
  layout.tag_length = ccm_8 ? 8 : 16;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), cipher->get(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(kNonceLength), nullptr) == 1;
  if (ok && layout.mode == Mode::ccm) {
    // CCM fixes the tag length with the key schedule (M in RFC 3610).
    ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(layout.tag_length), nullptr) == 1;
  }
  ok = ok && EVP_CIPHER_CTX_get_key_length(ctx.get()) == static_cast<int>(key.size()) &&
       EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nullptr) == 1;
  if (!ok) return openssl_error(std::string("key setup for ") + std::string(suite.name) + " failed");
  // GCM: the nonce's fixed part goes into the context once (TLS 1.2: the
  // implicit salt; TLS 1.3: the IV's first 4 bytes, which the sequence number
  // never reaches). Should the provider refuse, every record sets the whole nonce.
  bool gcm_fixed_nonce_set = false;
  if (layout.mode == Mode::gcm) {
    gcm_fixed_nonce_set = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IV_FIXED, static_cast<int>(kGcmFixedNonceLength),
                                              const_cast<std::uint8_t*>(iv.data())) == 1;
    if (!gcm_fixed_nonce_set) ERR_clear_error();
  }
  return std::unique_ptr<RecordCipher>(
      std::make_unique<AeadRecordCipher>(layout, std::move(ctx), iv, gcm_fixed_nonce_set));
}

}  // namespace

RecordCipherResult make_tls12_aead_cipher(const CipherSuite& suite, Bytes key, Bytes iv) {
  AeadLayout layout;
  layout.aad = Aad::tls12;
  layout.explicit_nonce_length = suite.cipher == BulkCipher::chacha20_poly1305 ? 0 : 8;
  if (iv.size() + layout.explicit_nonce_length != kNonceLength) return make_error("AEAD implicit nonce has the wrong length");
  return make_aead(suite, key, iv, layout);
}

RecordCipherResult make_tls13_cipher(const CipherSuite& suite, Bytes key, Bytes iv, std::uint16_t version) {
  if (iv.size() != kNonceLength) return make_error("TLS 1.3 IV must be 12 bytes");
  AeadLayout layout;
  // draft-ietf-tls-tls13-25 added the record header as additional data;
  // drafts 20-24 authenticate none.
  const bool old_draft = (version >> 8) == 0x7f && (version & 0xff) < 25;
  layout.aad = old_draft ? Aad::none : Aad::record_header;
  layout.inner_content_type = true;
  return make_aead(suite, key, iv, layout);
}

}  // namespace tlsring::crypto
