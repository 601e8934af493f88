#include "core/crypto/keyed_hmac.h"

// The low-level digest functions are deprecated in OpenSSL 3 (still built by
// default, Debian's and this project's Windows build included); they are the
// only interface whose state copies by value. See keyed_hmac.h for why.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>

#ifdef OPENSSL_NO_DEPRECATED_3_0
#error "tlsring needs OpenSSL's low-level digest functions (MD5_Init, SHA1_Init, ...): an OpenSSL built without deprecated APIs lacks them"
#endif

namespace tlsring::crypto {

class KeyedHmac::State {
 public:
  virtual ~State() = default;
  virtual std::size_t length() const = 0;
  virtual void compute(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out) const = 0;
};

namespace {

// One digest's low-level functions and sizes.
template <class Ctx, int (*Init)(Ctx*), int (*Update)(Ctx*, const void*, std::size_t),
          int (*Final)(unsigned char*, Ctx*), std::size_t BlockSize, std::size_t Length>
struct Digest {
  using Context = Ctx;
  static constexpr std::size_t kBlock = BlockSize;
  static constexpr std::size_t kLength = Length;
  static void init(Ctx& c) { Init(&c); }
  static void update(Ctx& c, const void* data, std::size_t size) { Update(&c, data, size); }
  static void final(std::uint8_t* out, Ctx& c) { Final(out, &c); }
};

using Md5 = Digest<MD5_CTX, MD5_Init, MD5_Update, MD5_Final, MD5_CBLOCK, MD5_DIGEST_LENGTH>;
using Sha1 = Digest<SHA_CTX, SHA1_Init, SHA1_Update, SHA1_Final, SHA_CBLOCK, SHA_DIGEST_LENGTH>;
using Sha256 = Digest<SHA256_CTX, SHA256_Init, SHA256_Update, SHA256_Final, SHA256_CBLOCK, SHA256_DIGEST_LENGTH>;
using Sha384 = Digest<SHA512_CTX, SHA384_Init, SHA384_Update, SHA384_Final, SHA512_CBLOCK, SHA384_DIGEST_LENGTH>;

template <class D>
class PadStates final : public KeyedHmac::State {
 public:
  explicit PadStates(std::span<const std::uint8_t> key) {
    // RFC 2104 §2: a key longer than a block is hashed first; then it is
    // padded with zeros to a block and XORed with ipad (0x36) and opad (0x5c).
    std::array<std::uint8_t, D::kBlock> block{};
    if (key.size() > D::kBlock) {
      typename D::Context c;
      D::init(c);
      D::update(c, key.data(), key.size());
      D::final(block.data(), c);
      OPENSSL_cleanse(&c, sizeof c);
    } else {
      std::copy(key.begin(), key.end(), block.begin());
    }
    for (auto& b : block) b ^= 0x36;
    D::init(inner_);
    D::update(inner_, block.data(), block.size());
    for (auto& b : block) b ^= 0x36 ^ 0x5c;
    D::init(outer_);
    D::update(outer_, block.data(), block.size());
    OPENSSL_cleanse(block.data(), block.size());
  }
  ~PadStates() override {
    OPENSSL_cleanse(&inner_, sizeof inner_);
    OPENSSL_cleanse(&outer_, sizeof outer_);
  }

  std::size_t length() const override { return D::kLength; }

  void compute(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out) const override {
    typename D::Context c = inner_;
    for (const auto& part : parts) {
      if (!part.empty()) D::update(c, part.data(), part.size());
    }
    std::array<std::uint8_t, D::kLength> inner_hash;
    D::final(inner_hash.data(), c);
    c = outer_;
    D::update(c, inner_hash.data(), inner_hash.size());
    D::final(out, c);
    OPENSSL_cleanse(&c, sizeof c);
    OPENSSL_cleanse(inner_hash.data(), inner_hash.size());
  }

 private:
  typename D::Context inner_;
  typename D::Context outer_;
};

}  // namespace

Result<KeyedHmac> KeyedHmac::create(MacAlgorithm digest, std::span<const std::uint8_t> key) {
  switch (digest) {
    case MacAlgorithm::md5: return KeyedHmac(std::make_unique<PadStates<Md5>>(key));
    case MacAlgorithm::sha1: return KeyedHmac(std::make_unique<PadStates<Sha1>>(key));
    case MacAlgorithm::sha256: return KeyedHmac(std::make_unique<PadStates<Sha256>>(key));
    case MacAlgorithm::sha384: return KeyedHmac(std::make_unique<PadStates<Sha384>>(key));
    case MacAlgorithm::aead: break;
  }
  return make_error("an AEAD suite has no HMAC");
}

KeyedHmac::KeyedHmac(std::unique_ptr<State> state) : state_(std::move(state)) {}
KeyedHmac::KeyedHmac(KeyedHmac&&) noexcept = default;
KeyedHmac& KeyedHmac::operator=(KeyedHmac&&) noexcept = default;
KeyedHmac::~KeyedHmac() = default;

std::size_t KeyedHmac::length() const { return state_->length(); }

void KeyedHmac::compute(std::initializer_list<std::span<const std::uint8_t>> parts, std::uint8_t* out) const {
  state_->compute(parts, out);
}

}  // namespace tlsring::crypto
