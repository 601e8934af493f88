// fuzz_private_key: the input is a key file (PEM, DER, PKCS#8, encrypted
// PKCS#8, PKCS#12/.pfx), given to RsaPrivateKey::parse without a password and
// with the passwords of the seeds (the Wireshark fixture key.p12's, and the one
// the ctests' generated keys use). A key that loads decrypts a fixed
// ciphertext (an error is fine, a crash is not); an error has a message. The
// input is also read as an X.509 certificate (certificate_public_key_id,
// certificate_subject), the other DER the core takes from outside.
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/providers.h"
#include "core/keys/rsa_private_key.h"
#include "tests/fuzz/fuzz_target.h"

using tlsring::fuzz::fuzz_check;

namespace {

void try_parse(std::span<const std::uint8_t> bytes, const std::optional<std::string>& password) {
  auto key = tlsring::keys::RsaPrivateKey::parse(bytes, "fuzz.key", password);
  if (!key.ok()) {
    fuzz_check(!key.error().message.empty(), "a key error without a message");
    return;
  }
  fuzz_check(key->modulus_bits() > 0, "a loaded RSA key with a modulus of 0 bits");
  const std::vector<std::uint8_t> ciphertext(key->modulus_bits() / 8, 0x5a);
  (void)key->decrypt(ciphertext);
  (void)key->decrypt(std::span<const std::uint8_t>(ciphertext).first(ciphertext.size() / 2));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool providers = tlsring::crypto::ensure_crypto_providers().ok();
  fuzz_check(providers, "the OpenSSL providers do not load");
  const std::span<const std::uint8_t> bytes(data, size);
  try_parse(bytes, std::nullopt);
  try_parse(bytes, std::string("WebAS"));         // Wireshark's key.p12
  try_parse(bytes, std::string("tlsring-fuzz"));  // the generated seeds (make_seeds.cmake)

  (void)tlsring::keys::certificate_public_key_id(bytes);
  (void)tlsring::keys::certificate_subject(bytes);
  return 0;
}
