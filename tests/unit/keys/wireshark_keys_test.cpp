// RsaPrivateKey on Wireshark's test keys, checked against the captures they
// belong to: the server certificate in the capture has the key's public key
// id, and the premaster the key decrypts from the captured ClientKeyExchange
// gives the master secret tshark exported to session-keys.txt.
//
// The capture bytes are searched for TLS messages by their fixed headers
// (this area has no capture parser); each pattern is spelled out below.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <set>

#include "core/keys/rsa_private_key.h"
#include "test_support.h"

using tlsring::keys::certificate_public_key_id;
using tlsring::keys::certificate_subject;
using tlsring::keys::PublicKeyId;
using tlsring::keys::RsaPrivateKey;
using namespace tlsring::keys::test;

namespace {

std::size_t read_u16(const Bytes& d, std::size_t at) { return (std::size_t{d[at]} << 8) | d[at + 1]; }
std::size_t read_u24(const Bytes& d, std::size_t at) { return (std::size_t{d[at]} << 16) | read_u16(d, at + 1); }

std::size_t find(const Bytes& haystack, const Bytes& needle, std::size_t from = 0) {
  const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(), needle.begin(),
                              needle.end());
  return it == haystack.end() ? std::string::npos : static_cast<std::size_t>(it - haystack.begin());
}

Bytes slice(const Bytes& d, std::size_t at, std::size_t length) {
  REQUIRE(at + length <= d.size());
  return Bytes(d.begin() + static_cast<std::ptrdiff_t>(at), d.begin() + static_cast<std::ptrdiff_t>(at + length));
}

// The first certificate of the first Certificate handshake message:
// 0x0b, u24 length, u24 list length (= length - 3), u24 cert length, cert (a DER SEQUENCE).
Bytes first_server_certificate(const Bytes& capture) {
  for (std::size_t i = 0; i + 10 < capture.size(); ++i) {
    if (capture[i] != 0x0b) continue;
    const std::size_t length = read_u24(capture, i + 1);
    const std::size_t list = read_u24(capture, i + 4);
    const std::size_t first = read_u24(capture, i + 7);
    if (length > 3 && list == length - 3 && first + 3 <= list && capture[i + 10] == 0x30) {
      return slice(capture, i + 10, first);
    }
  }
  FAIL("no Certificate message in the capture");
  return {};
}

// The random of the first ServerHello of `version` (0x00 SSL 3.0, 0x01 TLS 1.0):
// record 16 03 0v, u16 length, then 02 u24 length, 03 0v, random.
Bytes first_server_random(const Bytes& capture, std::uint8_t version) {
  for (std::size_t i = 0; i + 43 < capture.size(); ++i) {
    if (capture[i] == 0x16 && capture[i + 1] == 3 && capture[i + 2] == version && capture[i + 5] == 0x02 &&
        capture[i + 9] == 3 && capture[i + 10] == version) {
      return slice(capture, i + 11, 32);
    }
  }
  FAIL("no ServerHello in the capture");
  return {};
}

Bytes digest(const EVP_MD* md, const Bytes& data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int length = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr) == 1);
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// SSL 3.0 master secret (RFC 6101, 6.1):
// MD5(pre + SHA1("A" + pre + CR + SR)) + MD5(pre + SHA1("BB" + ...)) + MD5(pre + SHA1("CCC" + ...)).
Bytes ssl3_master_secret(const Bytes& premaster, const Bytes& client_random, const Bytes& server_random) {
  Bytes master;
  for (const Bytes& salt : {Bytes{'A'}, Bytes{'B', 'B'}, Bytes{'C', 'C', 'C'}}) {
    const Bytes inner = digest(EVP_sha1(), concat({salt, premaster, client_random, server_random}));
    const Bytes part = digest(EVP_md5(), concat({premaster, inner}));
    master.insert(master.end(), part.begin(), part.end());
  }
  return master;
}

// TLS 1.0 master secret (RFC 2246, 8.1): PRF(premaster, "master secret", CR + SR), the MD5/SHA-1 PRF.
Bytes tls10_master_secret(const Bytes& premaster, const Bytes& client_random, const Bytes& server_random) {
  const std::string label = "master secret";
  Bytes seed = concat({Bytes(label.begin(), label.end()), client_random, server_random});
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
  REQUIRE(kdf != nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  REQUIRE(ctx != nullptr);
  char md_name[] = "MD5-SHA1";
  Bytes secret = premaster;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, md_name, 0),
                               OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret.data(), secret.size()),
                               OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), seed.size()),
                               OSSL_PARAM_construct_end()};
  Bytes master(48);
  const int derived = EVP_KDF_derive(ctx, master.data(), master.size(), params);
  EVP_KDF_CTX_free(ctx);
  REQUIRE(derived == 1);
  return master;
}

// The master secret tshark wrote for this client random: "CLIENT_RANDOM <cr> <master>".
Bytes tshark_master_secret(const std::string& session_keys, const Bytes& client_random) {
  const std::string prefix = "CLIENT_RANDOM " + to_hex(client_random) + " ";
  const std::size_t at = session_keys.find(prefix);
  REQUIRE(at != std::string::npos);
  return from_hex(session_keys.substr(at + prefix.size(), 96));
}

// SHA-256 of the key's SubjectPublicKeyInfo, as the openssl tool computes it.
PublicKeyId openssl_public_key_id(const std::filesystem::path& key_file, bool pkcs12) {
  const ScratchDir dir;
  const std::string quoted = "'" + key_file.string() + "'";
  const std::string key_pem = pkcs12 ? "openssl pkcs12 -legacy -passin pass:WebAS -nocerts -nodes -in " + quoted
                                     : "cat " + quoted;
  REQUIRE(dir.run(key_pem + " | openssl pkey -pubout -outform DER | openssl dgst -sha256 -binary > id.bin"));
  const Bytes id = read_bytes(dir.file("id.bin"));
  REQUIRE(id.size() == 32);
  PublicKeyId out{};
  std::copy(id.begin(), id.end(), out.begin());
  return out;
}

}  // namespace

TEST_CASE("every key file among the Wireshark fixtures loads") {
  // cases.json: key.p12 is protected with "WebAS"; the others are plain PEM.
  std::set<std::string> loaded;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures_dir() / "keys")) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".key" && extension != ".pem" && extension != ".p8" && extension != ".p12" &&
        extension != ".pfx") {
      continue;
    }
    INFO(entry.path().string());
    const std::optional<std::string> password =
        extension == ".p12" ? std::optional<std::string>("WebAS") : std::nullopt;
    auto key = RsaPrivateKey::load(entry.path(), password);
    REQUIRE(key.ok());
    CHECK(key->public_key_id() == openssl_public_key_id(entry.path(), extension == ".p12"));
    loaded.insert(entry.path().filename().string());
  }
  CHECK(loaded == std::set<std::string>{"key.p12", "key.p12.pem", "rsasnakeoil2.key"});
}

TEST_CASE("rsasnakeoil2.key matches the server certificate in rsasnakeoil2.pcap and recovers its master secret") {
  auto key = RsaPrivateKey::load(fixtures_dir() / "keys" / "rsasnakeoil2.key", std::nullopt);
  REQUIRE(key.ok());
  CHECK(key->modulus_bits() == 1024);
  const Bytes capture = read_bytes(fixtures_dir() / "captures" / "rsasnakeoil2.pcap");

  const Bytes certificate = first_server_certificate(capture);
  const auto certificate_id = certificate_public_key_id(certificate);
  REQUIRE(certificate_id.ok());
  CHECK(*certificate_id == key->public_key_id());
  // As `openssl x509 -inform DER -noout -subject -nameopt RFC2253` prints it, with ", " between parts.
  CHECK(certificate_subject(certificate) ==
        "emailAddress=www@snakeoil.dom, CN=www.snakeoil.dom, OU=Webserver Team, O=Snake Oil\\, Ltd, L=Snake Town, "
        "ST=Snake Desert, C=XY");

  // SSLv2-format ClientHello: 80 len, 01 (client hello), 03 00, u16 cipher-specs length, u16 session-id
  // length, u16 challenge length, then specs, session id, challenge. The client random is the challenge
  // right-aligned in 32 bytes (RFC 6101, appendix E).
  const std::size_t hello = find(capture, Bytes{0x01, 0x03, 0x00, 0x00, 0x4e, 0x00, 0x00, 0x00, 0x10});
  REQUIRE(hello != std::string::npos);
  const Bytes challenge = slice(capture, hello + 9 + 0x4e, 16);
  const Bytes client_random = concat({Bytes(16, 0x00), challenge});
  const Bytes server_random = first_server_random(capture, 0x00);

  // SSL 3.0 ClientKeyExchange: record 16 03 00 0084, handshake 10 000080, the 128-byte ciphertext.
  const std::size_t exchange = find(capture, Bytes{0x16, 0x03, 0x00, 0x00, 0x84, 0x10, 0x00, 0x00, 0x80});
  REQUIRE(exchange != std::string::npos);
  auto premaster = key->decrypt(slice(capture, exchange + 9, 128));
  REQUIRE(premaster.ok());
  REQUIRE(premaster->size() == 48);
  CHECK((*premaster)[0] == 0x03);  // the client's version, SSL 3.0
  CHECK((*premaster)[1] == 0x00);

  const std::string session_keys = read_text(fixtures_dir() / "captures" / "rsasnakeoil2.expected" / "session-keys.txt");
  CHECK(to_hex(ssl3_master_secret(*premaster, client_random, server_random)) ==
        to_hex(tshark_master_secret(session_keys, client_random)));
}

TEST_CASE("key.p12 (RC2/3DES PKCS#12, password WebAS) matches dmgr.pcapng and recovers its master secret") {
  const auto p12 = fixtures_dir() / "keys" / "key.p12";
  auto key = RsaPrivateKey::load(p12, std::string("WebAS"));
  REQUIRE(key.ok());
  CHECK(key->modulus_bits() == 2048);
  auto pem = RsaPrivateKey::load(fixtures_dir() / "keys" / "key.p12.pem", std::nullopt);
  REQUIRE(pem.ok());
  CHECK(pem->public_key_id() == key->public_key_id());

  auto wrong = RsaPrivateKey::load(p12, std::string("webas"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message ==
        p12.string() +
            ": wrong password for this PKCS#12 file (give the export password with password-file=... or "
            "password-env=...)");
  auto missing = RsaPrivateKey::load(p12, std::nullopt);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::StartsWith(p12.string() + ": needs a password"));

  const Bytes capture = read_bytes(fixtures_dir() / "captures" / "dmgr.pcapng");
  const Bytes certificate = first_server_certificate(capture);
  const auto certificate_id = certificate_public_key_id(certificate);
  REQUIRE(certificate_id.ok());
  CHECK(*certificate_id == key->public_key_id());
  CHECK(certificate_subject(certificate) ==
        "CN=oc6748504754.ibm.com, OU=oc6748504754Cell09, OU=oc6748504754CellManager09, O=IBM, C=US");

  // ClientHello: record 16 03 01, u16; 01 u24; client version 03 03; the random.
  std::size_t hello = std::string::npos;
  for (std::size_t i = 0; i + 43 < capture.size() && hello == std::string::npos; ++i) {
    if (capture[i] == 0x16 && capture[i + 1] == 3 && capture[i + 2] == 1 && capture[i + 5] == 0x01 &&
        capture[i + 9] == 3) {
      hello = i;
    }
  }
  REQUIRE(hello != std::string::npos);
  const Bytes client_random = slice(capture, hello + 11, 32);
  const Bytes server_random = first_server_random(capture, 0x01);

  // TLS 1.0 ClientKeyExchange: record 16 03 01 0106, handshake 10 000102, u16 0100, 256-byte ciphertext.
  const std::size_t exchange =
      find(capture, Bytes{0x16, 0x03, 0x01, 0x01, 0x06, 0x10, 0x00, 0x01, 0x02, 0x01, 0x00});
  REQUIRE(exchange != std::string::npos);
  auto premaster = key->decrypt(slice(capture, exchange + 11, 256));
  REQUIRE(premaster.ok());
  REQUIRE(premaster->size() == 48);
  CHECK((*premaster)[0] == 0x03);  // the version the client offered, TLS 1.2
  CHECK((*premaster)[1] == 0x03);

  const std::string session_keys = read_text(fixtures_dir() / "captures" / "dmgr.expected" / "session-keys.txt");
  CHECK(to_hex(tls10_master_secret(*premaster, client_random, server_random)) ==
        to_hex(tshark_master_secret(session_keys, client_random)));
}
