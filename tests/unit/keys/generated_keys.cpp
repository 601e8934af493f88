#include "generated_keys.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace tlsring::keys::test {

namespace {

const char* const kCommands[] = {
    // The key (PKCS#8 PEM, as OpenSSL 3 writes it) and a self-signed certificate.
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
    "-subj '/C=DE/O=Tlsring Test/CN=ctiserver.example'",
    "openssl x509 -in cert.pem -outform DER -out cert.der",
    "openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary "
    "> spki.sha256",
    "openssl pkey -in key.pem -pubout -out public.pem",
    // PKCS#1, PEM and DER.
    "openssl rsa -in key.pem -traditional -out pkcs1.pem",
    "openssl rsa -in key.pem -traditional -outform DER -out pkcs1.der",
    // PKCS#8 DER, and encrypted PKCS#8 (PBES2 AES, and the PKCS#12 3DES PBE).
    "openssl pkey -in key.pem -outform DER -out pkcs8.der",
    "openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -passout pass:S3cret-pw -out pkcs8-aes.pem",
    "openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -passout pass:S3cret-pw -outform DER -out pkcs8-aes.der",
    "openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in key.pem -passout pass:S3cret-pw -out pkcs8-3des.pem",
    // Legacy PEM encryption (Proc-Type: 4,ENCRYPTED).
    "openssl rsa -in key.pem -traditional -aes256 -passout pass:S3cret-pw -out legacy-aes.pem",
    "openssl rsa -in key.pem -traditional -des3 -passout pass:S3cret-pw -out legacy-des3.pem",
    // PKCS#12: OpenSSL 3 default (AES, PBKDF2), legacy RC2-40/3DES as Windows
    // exports it, empty password, no MAC, certificate only.
    "openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass:S3cret-pw -out modern.pfx",
    "openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass:S3cret-pw -out legacy.pfx",
    "openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass: -out empty-password.pfx",
    "openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout pass: -out empty-password-legacy.pfx",
    "openssl pkcs12 -export -nomac -in cert.pem -inkey key.pem -passout pass:S3cret-pw -out nomac.pfx",
    "openssl pkcs12 -export -nokeys -in cert.pem -passout pass:S3cret-pw -out cert-only.pfx",
    // openssl pkcs12 -nodes output: "Bag Attributes" text, certificate block, then key block.
    "openssl pkcs12 -in legacy.pfx -legacy -passin pass:S3cret-pw -nodes -out bag-attributes.pem",
    // A value encrypted to the public key, as a client's ClientKeyExchange is.
    "openssl pkeyutl -encrypt -pubin -inkey public.pem -pkeyopt rsa_padding_mode:pkcs1 -in premaster.bin "
    "-out premaster.enc",
    // An EC key in its forms, for the "not RSA" errors.
    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem",
    "openssl ec -in ec.pem -out ec-traditional.pem",
    "openssl ec -in ec.pem -outform DER -out ec.der",
    "openssl pkcs8 -topk8 -v2 aes-256-cbc -in ec.pem -passout pass:S3cret-pw -out ec-aes.pem",
    "openssl req -x509 -key ec.pem -out ec-cert.pem -days 2 -subj '/CN=ec.example'",
    "openssl pkcs12 -export -in ec-cert.pem -inkey ec.pem -passout pass:S3cret-pw -out ec.pfx",
};

std::unique_ptr<GeneratedKeys> make() {
  auto keys = std::make_unique<GeneratedKeys>();
  // The premaster as TLS 1.2 builds it: client version 3.3, then 46 bytes.
  keys->premaster = {0x03, 0x03};
  for (int i = 0; i < 46; ++i) keys->premaster.push_back(static_cast<std::uint8_t>(0x11 * i + 7));
  keys->dir.write("premaster.bin", keys->premaster);
  for (const char* command : kCommands) {
    if (!keys->dir.run(command)) {
      throw std::runtime_error(std::string("openssl tool failed: ") + command + "\n" + keys->dir.log());
    }
  }
  keys->certificate_der = read_bytes(keys->dir.file("cert.der"));
  keys->premaster_ciphertext = read_bytes(keys->dir.file("premaster.enc"));
  const Bytes id = read_bytes(keys->dir.file("spki.sha256"));
  if (id.size() != keys->openssl_key_id.size()) throw std::runtime_error("openssl dgst gave no SHA-256");
  std::copy(id.begin(), id.end(), keys->openssl_key_id.begin());
  return keys;
}

}  // namespace

const GeneratedKeys& generated_keys() {
  // Destroyed at exit, which removes the scratch folder.
  static const std::unique_ptr<GeneratedKeys> keys = make();
  return *keys;
}

}  // namespace tlsring::keys::test
