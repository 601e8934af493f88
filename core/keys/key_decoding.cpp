#include "core/keys/key_decoding.h"

#include <string>

namespace tlsring::keys::detail {

namespace {

constexpr std::string_view kPasswordOptions = "password-file=... or password-env=...";

bool looks_like_pem(std::span<const std::uint8_t> contents) {
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  return text.find("-----BEGIN ") != std::string_view::npos;
}

// "an EC", "a DSA": the article goes by how the letter is spoken.
std::string with_article(std::string_view name) {
  const bool vowel_sound = !name.empty() && std::string_view("AEFHILMNORSXaeiou").find(name[0]) != std::string_view::npos;
  return std::string(vowel_sound ? "an " : "a ") + std::string(name);
}

}  // namespace

Result<EvpPkeyPtr> decode_private_key(std::span<const std::uint8_t> contents, const Password& password) {
  if (contents.empty()) return make_error("is empty (expected a PEM, DER or PKCS#12 private key)");
  if (looks_like_pem(contents)) return decode_pem_private_key(contents, password);
  return decode_der_private_key(contents, password);
}

Error needs_password_error(std::string_view what) {
  return make_error("needs a password (it is " + std::string(what) + "; give the password with " +
                    std::string(kPasswordOptions) + ")");
}

Error wrong_password_error(std::string_view what, std::string_view password_name) {
  return make_error("wrong password for this " + std::string(what) + " (give the " + std::string(password_name) +
                    " with " + std::string(kPasswordOptions) + ")");
}

Error no_private_key_error() {
  return make_error(
      "holds no private key (a certificate alone cannot decrypt; export the key with the certificate, "
      "e.g. as a .pfx with \"export the private key\" chosen)");
}

Error public_key_only_error() {
  return make_error("holds only a public key (a public key cannot decrypt; the server's private key is needed)");
}

Error not_a_key_error() { return make_error("not a PEM, DER or PKCS#12 private key"); }

Error not_rsa_error(std::string_view algorithm) {
  return make_error("holds " + with_article(algorithm) +
                    " private key; only RSA keys can decrypt TLS RSA key exchange "
                    "(sessions with (EC)DHE or this key type need a key-log file instead)");
}

std::string last_openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  if (code == 0) return {};
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "error " + std::to_string(code);
}

}  // namespace tlsring::keys::detail
