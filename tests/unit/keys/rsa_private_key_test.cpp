// RsaPrivateKey on keys the openssl command-line tool writes in every form, at
// test time: each must load, have the public key id openssl computes for the
// certificate, and decrypt what `openssl pkeyutl -encrypt` encrypted.
#include "core/keys/rsa_private_key.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <thread>

#include "generated_keys.h"
#include "test_support.h"

using tlsring::keys::certificate_public_key_id;
using tlsring::keys::certificate_subject;
using tlsring::keys::RsaPrivateKey;
using namespace tlsring::keys::test;

namespace {

struct KeyFile {
  const char* name;
  std::optional<std::string> password;
};

std::string load_error(const std::filesystem::path& path, const std::optional<std::string>& password) {
  auto key = RsaPrivateKey::load(path, password);
  REQUIRE_FALSE(key.ok());
  return key.error().message;
}

}  // namespace

TEST_CASE("every form of an RSA key loads, matches its certificate and decrypts") {
  const GeneratedKeys& keys = generated_keys();
  const std::optional<std::string> none;
  const KeyFile files[] = {
      {"key.pem", none},                      // PKCS#8 PEM
      {"pkcs1.pem", none},                    // PKCS#1 PEM
      {"pkcs1.der", none},                    // PKCS#1 DER
      {"pkcs8.der", none},                    // PKCS#8 DER
      {"pkcs8-aes.pem", kPassword},           // encrypted PKCS#8 PEM, PBES2 AES-256
      {"pkcs8-aes.der", kPassword},           // encrypted PKCS#8 DER
      {"pkcs8-3des.pem", kPassword},          // encrypted PKCS#8, PKCS#12 3DES PBE
      {"legacy-aes.pem", kPassword},          // Proc-Type: 4,ENCRYPTED, AES-256-CBC
      {"legacy-des3.pem", kPassword},         // Proc-Type: 4,ENCRYPTED, DES-EDE3-CBC
      {"modern.pfx", kPassword},              // PKCS#12, OpenSSL 3 defaults
      {"legacy.pfx", kPassword},              // PKCS#12, RC2-40 + 3DES (Windows export)
      {"empty-password.pfx", none},           // PKCS#12 exported without a password
      {"empty-password.pfx", std::string()},  // ... given as an empty password
      {"empty-password-legacy.pfx", none},
      {"nomac.pfx", kPassword},               // PKCS#12 without integrity MAC
      {"bag-attributes.pem", none},           // openssl pkcs12 -nodes output: cert block first
      {"key.pem", std::string("unneeded")},   // a password for an unencrypted key is not needed
      {"empty-password.pfx", std::string("unneeded")},
  };
  const auto certificate_id = certificate_public_key_id(keys.certificate_der);
  REQUIRE(certificate_id.ok());
  CHECK(*certificate_id == keys.openssl_key_id);

  for (const KeyFile& file : files) {
    INFO("file " << file.name << (file.password ? " with password" : " without password"));
    const auto path = keys.dir.file(file.name);
    auto key = RsaPrivateKey::load(path, file.password);
    REQUIRE(key.ok());
    CHECK(key->modulus_bits() == 2048);
    CHECK(key->source_name() == path.string());
    CHECK(key->public_key_id() == keys.openssl_key_id);
    auto premaster = key->decrypt(keys.premaster_ciphertext);
    REQUIRE(premaster.ok());
    CHECK(*premaster == keys.premaster);
  }
}

TEST_CASE("parse reads bytes already in memory and names them with the source name") {
  const GeneratedKeys& keys = generated_keys();
  const Bytes pfx = read_bytes(keys.dir.file("legacy.pfx"));
  auto key = RsaPrivateKey::parse(pfx, "config.yaml key #1", std::string(kPassword));
  REQUIRE(key.ok());
  CHECK(key->source_name() == "config.yaml key #1");
  CHECK(key->public_key_id() == keys.openssl_key_id);

  auto wrong = RsaPrivateKey::parse(pfx, "config.yaml key #1", std::string("nope"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.rfind("config.yaml key #1: wrong password", 0) == 0);
}

TEST_CASE("certificate_subject prints the subject on one line, most specific part first") {
  const GeneratedKeys& keys = generated_keys();
  // The subject given to openssl req above was /C=DE/O=Tlsring Test/CN=ctiserver.example.
  CHECK(certificate_subject(keys.certificate_der) == "CN=ctiserver.example, O=Tlsring Test, C=DE");
  const Bytes garbage{0x30, 0x03, 0x02, 0x01, 0x00};
  CHECK(certificate_subject(garbage).empty());
  CHECK_FALSE(certificate_public_key_id(garbage).ok());
}

TEST_CASE("a wrong password is reported as such, naming the file") {
  const GeneratedKeys& keys = generated_keys();
  const auto pfx = keys.dir.file("modern.pfx");
  CHECK(load_error(pfx, std::string("wrong-pw")) ==
        pfx.string() +
            ": wrong password for this PKCS#12 file (give the export password with password-file=... or "
            "password-env=...)");
  for (const char* name : {"legacy.pfx", "nomac.pfx"}) {
    INFO(name);
    const auto path = keys.dir.file(name);
    CHECK_THAT(load_error(path, std::string("wrong-pw")),
               Catch::StartsWith(path.string() + ": wrong password for this PKCS#12 file"));
  }
  for (const char* name : {"pkcs8-aes.pem", "pkcs8-aes.der", "pkcs8-3des.pem", "legacy-aes.pem", "legacy-des3.pem"}) {
    INFO(name);
    const auto path = keys.dir.file(name);
    CHECK_THAT(load_error(path, std::string("wrong-pw")),
               Catch::StartsWith(path.string() + ": wrong password for this encrypted key") &&
                   Catch::Contains("password-file=... or password-env=..."));
  }
}

TEST_CASE("an encrypted key without a password says that it needs one") {
  const GeneratedKeys& keys = generated_keys();
  for (const char* name : {"modern.pfx", "legacy.pfx", "nomac.pfx", "pkcs8-aes.pem", "pkcs8-aes.der",
                           "pkcs8-3des.pem", "legacy-aes.pem", "legacy-des3.pem"}) {
    for (const std::optional<std::string>& password : {std::optional<std::string>(), std::optional<std::string>("")}) {
      INFO(name << (password ? " with an empty password" : " without password"));
      const auto path = keys.dir.file(name);
      CHECK_THAT(load_error(path, password), Catch::StartsWith(path.string() + ": needs a password (it is ") &&
                                                 Catch::Contains("password-file=... or password-env=..."));
    }
  }
}

TEST_CASE("a non-RSA key is refused with its algorithm named") {
  const GeneratedKeys& keys = generated_keys();
  const KeyFile files[] = {{"ec.pem", std::nullopt},
                           {"ec-traditional.pem", std::nullopt},
                           {"ec.der", std::nullopt},
                           {"ec-aes.pem", kPassword},
                           {"ec.pfx", kPassword}};
  for (const KeyFile& file : files) {
    INFO(file.name);
    const auto path = keys.dir.file(file.name);
    CHECK_THAT(load_error(path, file.password),
               Catch::StartsWith(path.string() +
                                 ": holds an EC private key; only RSA keys can decrypt TLS RSA key exchange"));
  }
}

TEST_CASE("a file with a certificate or public key but no private key says so") {
  const GeneratedKeys& keys = generated_keys();
  const KeyFile files[] = {{"cert.pem", std::nullopt}, {"cert.der", std::nullopt}, {"cert-only.pfx", kPassword}};
  for (const KeyFile& file : files) {
    INFO(file.name);
    const auto path = keys.dir.file(file.name);
    CHECK_THAT(load_error(path, file.password),
               Catch::StartsWith(path.string() +
                                 ": holds no private key (a certificate alone cannot decrypt; export the key with "
                                 "the certificate"));
  }
  const auto public_key = keys.dir.file("public.pem");
  CHECK_THAT(load_error(public_key, std::nullopt), Catch::StartsWith(public_key.string() + ": holds only a public key"));
}

TEST_CASE("garbage, damaged, empty, missing files and folders are refused with the file named") {
  const GeneratedKeys& keys = generated_keys();
  const ScratchDir dir;
  Bytes random_bytes;
  for (int i = 0; i < 700; ++i) random_bytes.push_back(static_cast<std::uint8_t>((i * 7919 + 13) % 251));
  dir.write("random.bin", random_bytes);
  const std::string text = "this is a README, not a key\n";
  dir.write("readme.txt", Bytes(text.begin(), text.end()));
  Bytes truncated_der = read_bytes(keys.dir.file("pkcs1.der"));
  truncated_der.resize(truncated_der.size() / 2);
  dir.write("truncated.der", truncated_der);
  Bytes truncated_pfx = read_bytes(keys.dir.file("legacy.pfx"));
  truncated_pfx.resize(truncated_pfx.size() - 40);
  dir.write("truncated.pfx", truncated_pfx);
  dir.write("empty.key", {});
  // A PEM key whose END line was lost.
  std::string pem = read_text(keys.dir.file("pkcs1.pem"));
  pem.resize(pem.size() / 2);
  dir.write("truncated.pem", Bytes(pem.begin(), pem.end()));

  for (const char* name : {"random.bin", "readme.txt", "truncated.der", "truncated.pfx"}) {
    INFO(name);
    const auto path = dir.file(name);
    CHECK(load_error(path, std::nullopt) == path.string() + ": not a PEM, DER or PKCS#12 private key");
  }
  CHECK_THAT(load_error(dir.file("empty.key"), std::nullopt), Catch::StartsWith(dir.file("empty.key").string() + ": is empty"));
  CHECK_THAT(load_error(dir.file("truncated.pem"), std::nullopt),
             Catch::StartsWith(dir.file("truncated.pem").string() + ": not a readable PEM file"));

  const auto missing = dir.file("no-such.pfx");
  CHECK(load_error(missing, std::string(kPassword)) == "cannot open " + missing.string() + ": No such file or directory");
  CHECK(load_error(dir.path(), std::nullopt) == "cannot read " + dir.path().string() + ": it is a folder, not a file");
}

TEST_CASE("decrypt fails for a ciphertext made for another key, and for bad sizes") {
  // key.p12.pem's key, and a ciphertext that `openssl pkeyutl -encrypt -pkeyopt
  // rsa_padding_mode:pkcs1` made for a different, throwaway 2048-bit key.
  // With PKCS#1 v1.5 a wrong key still passes the padding check with a chance
  // of about 2^-16, so the ciphertext is fixed, chosen among ones that fail;
  // the openssl tool below confirms that it fails with this key too.
  const std::string other_key_ciphertext =
      "7ea1c31010d0da6fb246268ff2509a7159ec2bf9c5bc6732b5cf70a16d6143fea1f0509e64bb5b13c06cb34883595b5442c9a13840b9"
      "cf28a3d5d9c81e223b11a098ccc7aa4879c1037811de81dca8f677f73bc6e0fee57e2e2897cc22e46d7424a28a68b0a373ffe792c7fb"
      "fa950c39af5e4762ab167f831b068fd029341456957d4640bd42ce9ca12518b5ae3ba0842e7e5775cb595bdc3effdf55f2a9323bf1c9"
      "2d5de55ee2bc1adb36499dc495edac0329f705834d8d93cf478f6f2d4b41ebe61fe4d4cc79dcea616ed0b94c0fec446267c819fc7f75"
      "4c3d27e5b327456fd87d52e5044969cba223382ce7e9558d767fd97dd22baea529fb90ddd9bc0606";
  const auto key_path = fixtures_dir() / "keys" / "key.p12.pem";
  auto key = RsaPrivateKey::load(key_path, std::nullopt);
  REQUIRE(key.ok());
  const Bytes ciphertext = from_hex(other_key_ciphertext);
  REQUIRE(ciphertext.size() == 256);

  const ScratchDir dir;
  dir.write("other.enc", ciphertext);
  CHECK_FALSE(dir.run("openssl pkeyutl -decrypt -inkey '" + key_path.string() +
                      "' -pkeyopt rsa_padding_mode:pkcs1 -in other.enc -out other.dec"));

  auto decrypted = key->decrypt(ciphertext);
  REQUIRE_FALSE(decrypted.ok());
  CHECK_THAT(decrypted.error().message, Catch::Contains("the key does not match the server certificate"));

  CHECK_FALSE(key->decrypt(Bytes{}).ok());
  CHECK_FALSE(key->decrypt(Bytes(257, 0x01)).ok());
}

TEST_CASE("one key decrypts from several threads at once") {
  const GeneratedKeys& keys = generated_keys();
  auto key = RsaPrivateKey::load(keys.dir.file("legacy.pfx"), std::string(kPassword));
  REQUIRE(key.ok());
  const RsaPrivateKey& shared = *key;
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  int correct[kThreads] = {};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kRounds; ++i) {
          auto premaster = shared.decrypt(keys.premaster_ciphertext);
          if (premaster.ok() && *premaster == keys.premaster) ++correct[t];
        }
      });
    }
  }
  for (int t = 0; t < kThreads; ++t) CHECK(correct[t] == kRounds);

  // Copies share the key; the last one alive frees it.
  std::optional<RsaPrivateKey> copy(shared);
  key = tlsring::make_error("dropped");
  auto premaster = copy->decrypt(keys.premaster_ciphertext);
  REQUIRE(premaster.ok());
  CHECK(*premaster == keys.premaster);
}

TEST_CASE("keys of every size and shape decrypt what the openssl tool encrypted, by CRT or by OpenSSL") {
  // Two-prime keys are decrypted by tlsring's own CRT operation (rsa_crt.h);
  // a three-prime key by OpenSSL. Each key gets messages of the premaster's
  // 48 bytes, of none, and of the longest PKCS#1 v1.5 allows (k - 11 bytes).
  struct Shape {
    const char* name;
    const char* genpkey_options;
    std::size_t modulus_bytes;
    bool own_crt;
  };
  const Shape shapes[] = {
      {"rsa1024", "-pkeyopt rsa_keygen_bits:1024", 128, true},
      {"rsa2048", "-pkeyopt rsa_keygen_bits:2048", 256, true},
      {"rsa3072-e3", "-pkeyopt rsa_keygen_bits:3072 -pkeyopt rsa_keygen_pubexp:3", 384, true},
      {"rsa4096", "-pkeyopt rsa_keygen_bits:4096", 512, true},
      {"rsa2048-3primes", "-pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_primes:3", 256, false},
  };
  const ScratchDir dir;
  for (const Shape& shape : shapes) {
    INFO(shape.name);
    const std::string key = std::string(shape.name) + ".pem";
    REQUIRE(dir.run(std::string("openssl genpkey -algorithm RSA ") + shape.genpkey_options + " -out " + key));
    auto loaded = RsaPrivateKey::load(dir.file(key), std::nullopt);
    REQUIRE(loaded.ok());
    CHECK(loaded->decrypts_by_own_crt() == shape.own_crt);
    for (const std::size_t length : {std::size_t{48}, std::size_t{0}, shape.modulus_bytes - 11}) {
      INFO("message of " << length << " bytes");
      Bytes message(length);
      for (std::size_t i = 0; i < length; ++i) message[i] = static_cast<std::uint8_t>(i * 37 + 1);
      dir.write("message.bin", message);
      REQUIRE(dir.run("openssl pkeyutl -encrypt -inkey " + key +
                      " -pkeyopt rsa_padding_mode:pkcs1 -in message.bin -out message.enc"));
      const Bytes ciphertext = read_bytes(dir.file("message.enc"));
      auto decrypted = loaded->decrypt(ciphertext);
      REQUIRE(decrypted.ok());
      CHECK(*decrypted == message);
    }
    // Not below the modulus: no message, and the same error as a bad padding.
    auto too_large = loaded->decrypt(Bytes(shape.modulus_bytes, 0xff));
    REQUIRE_FALSE(too_large.ok());
    CHECK_THAT(too_large.error().message, Catch::Contains("the PKCS#1 padding does not check"));
    // A ciphertext shorter than the modulus is a number with leading zeros.
    auto one = loaded->decrypt(Bytes{0x01});
    CHECK_FALSE(one.ok());  // 1^d = 1: no 0x00 0x02 header
  }
}
