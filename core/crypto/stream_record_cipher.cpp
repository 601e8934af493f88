// NULL and RC4 record protection: fragment = ENC(content + MAC), no padding.
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

class StreamRecordCipher final : public RecordCipher {
 public:
  StreamRecordCipher(RecordMac mac, CipherCtxPtr ctx, CipherCtxPtr scratch)
      : mac_(std::move(mac)), ctx_(std::move(ctx)), scratch_(std::move(scratch)) {}

  // RC4 after lost bytes: the keystream position is unknown. (NULL has no state.)
  bool chains_records() const override { return ctx_ != nullptr; }
  bool resynchronize(std::span<const std::uint8_t> /*fragment*/) override { return ctx_ == nullptr; }

  Result<DecryptedRecord> decrypt(std::span<const std::uint8_t> header, std::uint64_t sequence_number,
                                  std::span<const std::uint8_t> fragment, std::vector<std::uint8_t>& out) override {
    auto hdr = split_header(header);
    if (!hdr) return hdr.error();
    const std::size_t mac_length = mac_.length();
    if (fragment.size() < mac_length) return make_error("record is shorter than its MAC");
    output_room(out, fragment.size());
    if (ctx_) {
      // RC4's keystream position is the only state. Decrypt with a copy, so a
      // record that fails its MAC leaves the real keystream untouched.
      int written = 0;
      if (EVP_CIPHER_CTX_copy(scratch_.get(), ctx_.get()) != 1 ||
          EVP_DecryptUpdate(scratch_.get(), out.data(), &written, fragment.data(), static_cast<int>(fragment.size())) !=
              1 ||
          static_cast<std::size_t>(written) != fragment.size()) {
        return openssl_error("RC4 decryption failed");
      }
    } else if (!fragment.empty()) {
      std::memcpy(out.data(), fragment.data(), fragment.size());
    }
    const std::size_t plain_length = fragment.size() - mac_length;
    std::array<std::uint8_t, RecordMac::kMaxLength> expected{};
    Status st = mac_.compute(sequence_number, hdr->type, hdr->version,
                             std::span<const std::uint8_t>(out.data(), plain_length), expected.data());
    if (!st) return st.error();
    if (CRYPTO_memcmp(expected.data(), out.data() + plain_length, mac_length) != 0) {
      return make_error("bad record MAC");
    }
    if (ctx_) std::swap(ctx_, scratch_);
    return DecryptedRecord{hdr->type, std::span<const std::uint8_t>(out.data(), plain_length)};
  }

 private:
  RecordMac mac_;
  CipherCtxPtr ctx_;      // null for the NULL cipher
  CipherCtxPtr scratch_;
};

}  // namespace

RecordCipherResult make_stream_cipher(std::uint16_t version, const CipherSuite& suite, Bytes key, Bytes mac_key) {
  auto mac = RecordMac::create(version, suite.mac, mac_key);
  if (!mac) return mac.error();
  CipherCtxPtr ctx;
  CipherCtxPtr scratch;
  if (suite.cipher == BulkCipher::rc4_128) {
    auto cipher = fetch_cipher(suite.cipher);
    if (!cipher) return cipher.error();
    ctx.reset(EVP_CIPHER_CTX_new());
    scratch.reset(EVP_CIPHER_CTX_new());
    if (!ctx || !scratch || EVP_DecryptInit_ex2(ctx.get(), cipher->get(), key.data(), nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_get_key_length(ctx.get()) != static_cast<int>(key.size())) {
      return openssl_error("RC4 key setup failed");
    }
  } else if (suite.cipher != BulkCipher::null) {
    return make_error(std::string(suite.name) + " is not a stream cipher suite");
  }
  return std::unique_ptr<RecordCipher>(
      std::make_unique<StreamRecordCipher>(std::move(*mac), std::move(ctx), std::move(scratch)));
}

}  // namespace tlsring::crypto
