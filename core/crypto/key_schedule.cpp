#include "core/crypto/key_schedule.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "core/crypto/openssl_error.h"
#include "core/openssl_ptr.h"

namespace tlsring::crypto {
namespace {

constexpr std::size_t kMasterSecretLength = 48;
constexpr std::size_t kRandomLength = 32;
constexpr std::size_t kTlsFinishedLength = 12;

bool is_ssl3(std::uint16_t version) { return version == 0x0300; }

const char* prf_digest_name(PrfHash hash) { return hash == PrfHash::sha384 ? "SHA384" : "SHA256"; }

// Digests fetched once per process: with a fetched EVP_MD, EVP_DigestInit_ex
// skips the implicit fetch (a walk of the providers' name tables) that the
// EVP_sha256() kind of object costs on every use. Never freed on purpose;
// the built-in object stands in where a fetch fails.
const EVP_MD* fetched_md(const char* name, const EVP_MD* fallback) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : fallback;
}
const EVP_MD* md_sha256() {
  static const EVP_MD* md = fetched_md("SHA256", EVP_sha256());
  return md;
}
const EVP_MD* md_sha384() {
  static const EVP_MD* md = fetched_md("SHA384", EVP_sha384());
  return md;
}
const EVP_MD* md_sha1() {
  static const EVP_MD* md = fetched_md("SHA1", EVP_sha1());
  return md;
}
const EVP_MD* md_md5() {
  static const EVP_MD* md = fetched_md("MD5", EVP_md5());
  return md;
}
const EVP_MD* prf_md(PrfHash hash) { return hash == PrfHash::sha384 ? md_sha384() : md_sha256(); }

// Fetched once per process: fetching is the expensive part of EVP_KDF and the
// EVP_KDF object is immutable and shareable between threads. Never freed on
// purpose (it lives as long as the process).
EVP_KDF* fetch_kdf(const char* name) { return EVP_KDF_fetch(nullptr, name, nullptr); }
EVP_KDF* tls1_prf_kdf() {
  static EVP_KDF* kdf = fetch_kdf("TLS1-PRF");
  return kdf;
}

// The TLS PRF of RFC 2246 §5 (MD5-SHA1 split) or RFC 5246 §5 (one hash):
// PRF(secret, label, seed_a + seed_b). The label and seeds are joined into the
// one seed that OpenSSL's TLS1-PRF takes.
Result<ByteVector> prf_with_digest(const char* digest, ByteView secret, std::string_view label, ByteView seed_a,
                                   ByteView seed_b, std::size_t length) {
  ByteVector seed;
  seed.reserve(label.size() + seed_a.size() + seed_b.size());
  seed.insert(seed.end(), label.begin(), label.end());
  seed.insert(seed.end(), seed_a.begin(), seed_a.end());
  seed.insert(seed.end(), seed_b.begin(), seed_b.end());
  const std::size_t n = seed.size();

  if (tls1_prf_kdf() == nullptr) return openssl_error("cannot fetch OpenSSL's TLS1-PRF");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(tls1_prf_kdf()));
  if (!ctx) return openssl_error("EVP_KDF_CTX_new(TLS1-PRF) failed");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), n),
      OSSL_PARAM_construct_end(),
  };
  ByteVector out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) <= 0) {
    return openssl_error(std::string("TLS PRF (") + digest + ") failed");
  }
  return out;
}

// The PRF digest that TLS 1.0/1.1 (MD5 and SHA-1 halves) or TLS 1.2 (the
// suite's hash) use; nullptr for SSL 3.0 and TLS 1.3, which have none.
const char* tls_prf_digest(std::uint16_t version, const CipherSuite& suite) {
  if (version == 0x0301 || version == 0x0302) return "MD5-SHA1";
  if (version == 0x0303) return prf_digest_name(suite.prf);
  return nullptr;
}

Error no_prf_error(std::uint16_t version) {
  return make_error("no TLS 1.0-1.2 PRF for protocol version " + version_name(version));
}

// HMAC on one hash, set up once per thread: setting the digest is what costs
// (a fetch by name), and a TLS 1.3 handshake expands a dozen labels (HKDF is
// HMAC); each use starts it afresh with its own key.
struct HmacContexts {
  std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter> sha256, sha384;
};
// A plain pointer: trivially destructible, so nothing runs at thread exit
// (release_thread_key_schedule_contexts() frees it).
thread_local HmacContexts* thread_hmac_contexts = nullptr;

EVP_MAC_CTX* hmac_context(PrfHash hash) {
  static EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // immutable, never freed
  if (thread_hmac_contexts == nullptr) thread_hmac_contexts = new HmacContexts;
  HmacContexts& contexts = *thread_hmac_contexts;
  auto& ctx = hash == PrfHash::sha384 ? contexts.sha384 : contexts.sha256;
  if (!ctx && hmac != nullptr) {
    std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter> made(EVP_MAC_CTX_new(hmac));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(prf_digest_name(hash)), 0),
        OSSL_PARAM_construct_end(),
    };
    if (made && EVP_MAC_CTX_set_params(made.get(), params) == 1) ctx = std::move(made);
  }
  return ctx.get();
}

bool digest(const EVP_MD* md, std::initializer_list<ByteView> parts, std::uint8_t* out) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) return false;
  for (ByteView part : parts) {
    if (!part.empty() && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) return false;
  }
  return EVP_DigestFinal_ex(ctx.get(), out, nullptr) == 1;
}

// SSL 3.0 (RFC 6101 §6.1 and §6.2.2): block i (1-based) is
// MD5(secret + SHA1(salt_i + secret + random_a + random_b)), salt_i being the
// letter 'A'+i-1 repeated i times. OpenSSL has no KDF for this.
Result<ByteVector> ssl3_prf(ByteView secret, ByteView random_a, ByteView random_b, std::size_t length) {
  ByteVector out;
  out.reserve(length + 16);
  std::array<std::uint8_t, 26> salt{};
  std::array<std::uint8_t, 20> sha{};
  std::array<std::uint8_t, 16> md5{};
  for (std::size_t i = 0; out.size() < length; ++i) {
    if (i >= salt.size()) return make_error("SSL 3.0 key block too long");
    salt.fill(static_cast<std::uint8_t>('A' + i));
    if (!digest(md_sha1(), {ByteView(salt.data(), i + 1), secret, random_a, random_b}, sha.data()) ||
        !digest(md_md5(), {secret, sha}, md5.data())) {
      return openssl_error("SSL 3.0 key derivation failed");
    }
    out.insert(out.end(), md5.begin(), md5.end());
  }
  out.resize(length);
  return out;
}

// RFC 6101 §5.6.9: hash(master + pad2 + hash(handshake_messages + sender + master + pad1)),
// for MD5 (48-byte pads) and then SHA-1 (40-byte pads).
Result<ByteVector> ssl3_finished(ByteView master_secret, bool from_client, ByteView handshake_messages) {
  static constexpr std::array<std::uint8_t, 4> kClient = {0x43, 0x4C, 0x4E, 0x54};  // "CLNT"
  static constexpr std::array<std::uint8_t, 4> kServer = {0x53, 0x52, 0x56, 0x52};  // "SRVR"
  const ByteView sender = from_client ? ByteView(kClient) : ByteView(kServer);
  std::array<std::uint8_t, 48> pad1{};
  std::array<std::uint8_t, 48> pad2{};
  pad1.fill(0x36);
  pad2.fill(0x5c);
  ByteVector out(36);
  std::array<std::uint8_t, 20> inner{};
  struct Part {
    const EVP_MD* md;
    std::size_t pad_length;
    std::size_t hash_length;
    std::size_t offset;
  };
  for (const Part& p : {Part{md_md5(), 48, 16, 0}, Part{md_sha1(), 40, 20, 16}}) {
    if (!digest(p.md, {handshake_messages, sender, master_secret, ByteView(pad1.data(), p.pad_length)},
                inner.data()) ||
        !digest(p.md, {master_secret, ByteView(pad2.data(), p.pad_length), ByteView(inner.data(), p.hash_length)},
                out.data() + p.offset)) {
      return openssl_error("SSL 3.0 Finished computation failed");
    }
  }
  return out;
}

Status check_randoms(ByteView client_random, ByteView server_random) {
  if (client_random.size() != kRandomLength || server_random.size() != kRandomLength) {
    return make_error("client and server random must be 32 bytes each");
  }
  return {};
}

}  // namespace

Result<ByteVector> tls_prf(std::uint16_t version, PrfHash hash, ByteView secret, std::string_view label, ByteView seed,
                           std::size_t length) {
  CipherSuite suite;
  suite.prf = hash;
  const char* md = tls_prf_digest(version, suite);
  if (md == nullptr) return no_prf_error(version);
  return prf_with_digest(md, secret, label, seed, {}, length);
}

Result<ByteVector> derive_master_secret(std::uint16_t version, const CipherSuite& suite, ByteView pre_master,
                                        ByteView client_random, ByteView server_random) {
  if (auto st = check_randoms(client_random, server_random); !st) return st.error();
  if (pre_master.empty()) return make_error("empty pre-master secret");
  if (is_ssl3(version)) return ssl3_prf(pre_master, client_random, server_random, kMasterSecretLength);
  const char* md = tls_prf_digest(version, suite);
  if (md == nullptr) return no_prf_error(version);
  return prf_with_digest(md, pre_master, "master secret", client_random, server_random, kMasterSecretLength);
}

Result<ByteVector> derive_extended_master_secret(std::uint16_t version, const CipherSuite& suite,
                                                 ByteView pre_master, ByteView session_hash) {
  if (pre_master.empty()) return make_error("empty pre-master secret");
  const char* md = tls_prf_digest(version, suite);
  if (md == nullptr) return make_error("no extended master secret in " + version_name(version));
  return prf_with_digest(md, pre_master, "extended master secret", session_hash, {}, kMasterSecretLength);
}

Result<ByteVector> handshake_hash(std::uint16_t version, const CipherSuite& suite, ByteView handshake_messages) {
  if (version >= 0x0303) {
    // TLS 1.2 uses the PRF hash; TLS 1.3 (0x0304 and the 0x7fXX drafts) the suite's hash too.
    const EVP_MD* md = prf_md(suite.prf);
    ByteVector out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    if (!digest(md, {handshake_messages}, out.data())) return openssl_error("handshake hash failed");
    return out;
  }
  ByteVector out(36);  // MD5 (16) || SHA-1 (20), RFC 2246 §7.4.9
  if (!digest(md_md5(), {handshake_messages}, out.data()) ||
      !digest(md_sha1(), {handshake_messages}, out.data() + 16)) {
    return openssl_error("handshake hash failed");
  }
  return out;
}

Result<ConnectionKeys> derive_connection_keys(std::uint16_t version, const CipherSuite& suite, ByteView master_secret,
                                              ByteView client_random, ByteView server_random) {
  if (auto st = check_randoms(client_random, server_random); !st) return st.error();
  if (master_secret.size() != kMasterSecretLength) return make_error("master secret must be 48 bytes");
  if (suite.cipher == BulkCipher::unsupported) {
    return make_error("cipher of " + std::string(suite.name) + " is not supported");
  }
  const CipherParameters p = cipher_parameters(suite, version);
  const std::size_t total = 2 * (p.mac_key_length + p.key_length + p.fixed_iv_length);
  // The key block takes server_random first (RFC 5246 §6.3, RFC 6101 §6.2.2).
  Result<ByteVector> block = [&]() -> Result<ByteVector> {
    if (is_ssl3(version)) return ssl3_prf(master_secret, server_random, client_random, total);
    const char* md = tls_prf_digest(version, suite);
    if (md == nullptr) return no_prf_error(version);
    return prf_with_digest(md, master_secret, "key expansion", server_random, client_random, total);
  }();
  if (!block) return block.error();

  ConnectionKeys keys;
  auto next = block->begin();
  auto take = [&next](ByteVector& into, std::size_t n) {
    into.assign(next, next + static_cast<std::ptrdiff_t>(n));
    next += static_cast<std::ptrdiff_t>(n);
  };
  take(keys.client_mac_key, p.mac_key_length);
  take(keys.server_mac_key, p.mac_key_length);
  take(keys.client_key, p.key_length);
  take(keys.server_key, p.key_length);
  take(keys.client_iv, p.fixed_iv_length);
  take(keys.server_iv, p.fixed_iv_length);
  return keys;
}

Result<ByteVector> finished_verify_data(std::uint16_t version, const CipherSuite& suite, ByteView master_secret,
                                        bool from_client, ByteView handshake_messages) {
  if (is_ssl3(version)) return ssl3_finished(master_secret, from_client, handshake_messages);
  const char* md = tls_prf_digest(version, suite);
  if (md == nullptr) return no_prf_error(version);
  auto hash = handshake_hash(version, suite, handshake_messages);
  if (!hash) return hash.error();
  return prf_with_digest(md, master_secret, from_client ? "client finished" : "server finished", *hash, {},
                 kTlsFinishedLength);
}

namespace {

// HKDF-Expand-Label on the thread's HMAC context of `hash`. `keyed`: the
// context holds the key `secret` already, from the label expanded just before
// (given no key, OpenSSL starts the HMAC again from the one it has, skipping
// the key's setup: two of the four hash blocks of a one-block expansion).
Result<ByteVector> expand_label(PrfHash hash, ByteView secret, bool keyed, std::string_view label, ByteView context,
                                std::size_t length) {
  static constexpr std::string_view kPrefix = "tls13 ";
  const std::size_t full_label = kPrefix.size() + label.size();
  if (full_label > 255 || context.size() > 255 || length > 0xffff) {
    return make_error("HKDF-Expand-Label argument too long");
  }
  // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel;
  std::array<std::uint8_t, 2 + 1 + 255 + 1 + 255> info{};
  std::size_t n = 0;
  info[n++] = static_cast<std::uint8_t>(length >> 8);
  info[n++] = static_cast<std::uint8_t>(length);
  info[n++] = static_cast<std::uint8_t>(full_label);
  std::memcpy(info.data() + n, kPrefix.data(), kPrefix.size());
  n += kPrefix.size();
  std::memcpy(info.data() + n, label.data(), label.size());
  n += label.size();
  info[n++] = static_cast<std::uint8_t>(context.size());
  if (!context.empty()) std::memcpy(info.data() + n, context.data(), context.size());
  n += context.size();

  // HKDF-Expand (RFC 5869 §2.3) on the thread's HMAC context: T(i) =
  // HMAC(secret, T(i-1) | info | i). A TLS 1.3 session expands a dozen labels,
  // mostly of one block; OpenSSL's HKDF KDF sets up an HMAC of its own for each.
  EVP_MAC_CTX* hmac = hmac_context(hash);
  if (hmac == nullptr) return openssl_error(std::string("HMAC setup with ") + prf_digest_name(hash) + " failed");
  const auto block_length = static_cast<std::size_t>(EVP_MD_get_size(prf_md(hash)));
  if (length > 255 * block_length) return make_error("HKDF-Expand-Label output too long");
  ByteVector out(length);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> block{};
  for (std::size_t done = 0, i = 1; done < length; ++i) {
    const std::uint8_t counter = static_cast<std::uint8_t>(i);
    std::size_t block_written = 0;
    const bool set_key = !keyed && i == 1;
    if (EVP_MAC_init(hmac, set_key ? secret.data() : nullptr, set_key ? secret.size() : 0, nullptr) != 1 ||
        (i > 1 && EVP_MAC_update(hmac, block.data(), block_length) != 1) ||
        EVP_MAC_update(hmac, info.data(), n) != 1 || EVP_MAC_update(hmac, &counter, 1) != 1 ||
        EVP_MAC_final(hmac, block.data(), &block_written, block.size()) != 1 || block_written != block_length) {
      return openssl_error("HKDF-Expand-Label \"" + std::string(label) + "\" failed");
    }
    const std::size_t take = std::min(block_length, length - done);
    std::memcpy(out.data() + done, block.data(), take);
    done += take;
  }
  OPENSSL_cleanse(block.data(), block.size());
  return out;
}

}  // namespace

Result<ByteVector> hkdf_expand_label(PrfHash hash, ByteView secret, std::string_view label, ByteView context,
                                     std::size_t length) {
  return expand_label(hash, secret, false, label, context, length);
}

Result<TrafficKeys> derive_tls13_traffic_keys(const CipherSuite& suite, ByteView traffic_secret) {
  if (!suite.is_aead() || suite.cipher == BulkCipher::unsupported) {
    return make_error(std::string(suite.name) + " is not a supported TLS 1.3 suite");
  }
  const CipherParameters p = cipher_parameters(suite, 0x0304);
  auto key = expand_label(suite.prf, traffic_secret, false, "key", {}, p.key_length);
  if (!key) return key.error();
  auto iv = expand_label(suite.prf, traffic_secret, true, "iv", {}, p.fixed_iv_length);
  if (!iv) return iv.error();
  return TrafficKeys{std::move(*key), std::move(*iv)};
}

Result<ByteVector> next_tls13_traffic_secret(const CipherSuite& suite, ByteView traffic_secret) {
  return hkdf_expand_label(suite.prf, traffic_secret, "traffic upd", {},
                           static_cast<std::size_t>(EVP_MD_get_size(prf_md(suite.prf))));
}

Result<ByteVector> tls13_finished_verify_data(const CipherSuite& suite, ByteView base_key, ByteView transcript_hash) {
  const auto hash_length = static_cast<std::size_t>(EVP_MD_get_size(prf_md(suite.prf)));
  auto finished_key = hkdf_expand_label(suite.prf, base_key, "finished", {}, hash_length);
  if (!finished_key) return finished_key.error();
  ByteVector out(hash_length);
  std::size_t out_length = 0;
  EVP_MAC_CTX* hmac = hmac_context(suite.prf);
  if (hmac == nullptr || EVP_MAC_init(hmac, finished_key->data(), finished_key->size(), nullptr) != 1 ||
      EVP_MAC_update(hmac, transcript_hash.data(), transcript_hash.size()) != 1 ||
      EVP_MAC_final(hmac, out.data(), &out_length, out.size()) != 1 || out_length != hash_length) {
    return openssl_error("TLS 1.3 Finished HMAC failed");
  }
  return out;
}

Result<ByteVector> tls13_transcript_hash(const CipherSuite& suite, ByteView handshake_messages) {
  return handshake_hash(0x0304, suite, handshake_messages);
}

void release_thread_key_schedule_contexts() {
  delete thread_hmac_contexts;
  thread_hmac_contexts = nullptr;
}

}  // namespace tlsring::crypto
