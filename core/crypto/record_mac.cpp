#include "core/crypto/record_mac.h"

#include <openssl/evp.h>

#include <cstring>

#include "core/crypto/openssl_error.h"

namespace tlsring::crypto {
namespace {

const char* digest_name(MacAlgorithm mac) {
  switch (mac) {
    case MacAlgorithm::md5: return "MD5";
    case MacAlgorithm::sha1: return "SHA1";
    case MacAlgorithm::sha256: return "SHA256";
    case MacAlgorithm::sha384: return "SHA384";
    case MacAlgorithm::aead: break;
  }
  return nullptr;
}

void put_u64(std::uint64_t v, std::uint8_t* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

Result<RecordMac> RecordMac::create(std::uint16_t version, MacAlgorithm mac, std::span<const std::uint8_t> key) {
  const char* digest = digest_name(mac);
  if (digest == nullptr) return make_error("AEAD suites have no record MAC");
  RecordMac out;
  if (version == 0x0300) {
    if (mac != MacAlgorithm::md5 && mac != MacAlgorithm::sha1) return make_error("SSL 3.0 MAC must be MD5 or SHA-1");
    out.ssl3_ = true;
    // An explicitly fetched digest spares OpenSSL an implicit fetch on every
    // EVP_DigestInit_ex, i.e. per record.
    out.ssl3_md_.reset(EVP_MD_fetch(nullptr, digest, nullptr));
    if (!out.ssl3_md_) return openssl_error(std::string("cannot fetch ") + digest);
    out.length_ = mac == MacAlgorithm::md5 ? 16 : 20;
    out.ssl3_pad_length_ = mac == MacAlgorithm::md5 ? 48 : 40;
    if (key.size() != out.length_) return make_error("SSL 3.0 MAC secret has the wrong length");
    std::memcpy(out.ssl3_secret_.data(), key.data(), key.size());
    out.md_.reset(EVP_MD_CTX_new());
    if (!out.md_) return openssl_error("EVP_MD_CTX_new failed");
    return out;
  }
  Result<KeyedHmac> hmac = KeyedHmac::create(mac, key);
  if (!hmac) return hmac.error();
  out.length_ = hmac->length();
  out.hmac_.emplace(std::move(*hmac));
  return out;
}

Status RecordMac::compute(std::uint64_t sequence_number, std::uint8_t type, std::span<const std::uint8_t, 2> version,
                          std::span<const std::uint8_t> data, std::uint8_t* out) {
  std::array<std::uint8_t, 13> header{};
  put_u64(sequence_number, header.data());
  header[8] = type;
  if (ssl3_) {
    // SSL 3.0 leaves the version out of the MAC.
    header[9] = static_cast<std::uint8_t>(data.size() >> 8);
    header[10] = static_cast<std::uint8_t>(data.size());
    return compute_ssl3(std::span<const std::uint8_t>(header.data(), 11), data, out);
  }
  header[9] = version[0];
  header[10] = version[1];
  header[11] = static_cast<std::uint8_t>(data.size() >> 8);
  header[12] = static_cast<std::uint8_t>(data.size());
  hmac_->compute({header, data}, out);
  return {};
}

Status RecordMac::compute_ssl3(std::span<const std::uint8_t> header, std::span<const std::uint8_t> data,
                               std::uint8_t* out) {
  static constexpr std::array<std::uint8_t, 48> kPad1 = [] {
    std::array<std::uint8_t, 48> a{};
    a.fill(0x36);
    return a;
  }();
  static constexpr std::array<std::uint8_t, 48> kPad2 = [] {
    std::array<std::uint8_t, 48> a{};
    a.fill(0x5c);
    return a;
  }();
  std::array<std::uint8_t, 20> inner{};
  EVP_MD_CTX* ctx = md_.get();
  const bool ok =
      EVP_DigestInit_ex(ctx, ssl3_md_.get(), nullptr) == 1 && EVP_DigestUpdate(ctx, ssl3_secret_.data(), length_) == 1 &&
      EVP_DigestUpdate(ctx, kPad1.data(), ssl3_pad_length_) == 1 &&
      EVP_DigestUpdate(ctx, header.data(), header.size()) == 1 &&
      (data.empty() || EVP_DigestUpdate(ctx, data.data(), data.size()) == 1) &&
      EVP_DigestFinal_ex(ctx, inner.data(), nullptr) == 1 && EVP_DigestInit_ex(ctx, ssl3_md_.get(), nullptr) == 1 &&
      EVP_DigestUpdate(ctx, ssl3_secret_.data(), length_) == 1 &&
      EVP_DigestUpdate(ctx, kPad2.data(), ssl3_pad_length_) == 1 &&
      EVP_DigestUpdate(ctx, inner.data(), length_) == 1 && EVP_DigestFinal_ex(ctx, out, nullptr) == 1;
  if (!ok) return openssl_error("SSL 3.0 record MAC failed");
  return {};
}

}  // namespace tlsring::crypto
