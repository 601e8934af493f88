// PEM key files: PKCS#1 ("RSA PRIVATE KEY", optionally with the legacy
// "Proc-Type: 4,ENCRYPTED" header), PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8
// ("ENCRYPTED PRIVATE KEY"), alone or mixed with certificates, as openssl
// pkcs12 -nodes writes them (with "Bag Attributes" text between blocks).
//
// The blocks are read one by one with PEM_read_bio rather than with
// PEM_read_bio_PrivateKey, because the block labels are what tells "needs a
// password", "wrong password", "only a certificate" and "not RSA" apart.
#include <openssl/pem.h>

#include <algorithm>
#include <cstring>

#include "core/keys/key_decoding.h"

namespace tlsring::keys::detail {

namespace {

struct PemBlock {
  OpenSslMemPtr<char> name;
  OpenSslMemPtr<char> header;
  OpenSslMemPtr<unsigned char> data;
  long length = 0;

  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  // The data may be a decrypted private key: wipe it before it is freed.
  ~PemBlock() {
    if (data) OPENSSL_cleanse(data.get(), static_cast<std::size_t>(length));
  }
  std::span<const std::uint8_t> bytes() const { return {data.get(), static_cast<std::size_t>(length)}; }
};

enum class PemRead { block, end, damaged };

PemRead read_pem_block(BIO& bio, PemBlock& block) {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_read_bio(&bio, &name, &header, &data, &length) != 1) {
    // No further "-----BEGIN" line is the normal end of the file.
    const unsigned long code = ERR_peek_last_error();
    const bool at_end = ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
    return at_end ? PemRead::end : PemRead::damaged;
  }
  block.name.reset(name);
  block.header.reset(header);
  block.data.reset(data);
  block.length = length;
  return PemRead::block;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

int password_callback(char* buffer, int size, int /*rwflag*/, void* user_data) {
  const auto* password = static_cast<const std::string*>(user_data);
  const int length = static_cast<int>(std::min<std::size_t>(password->size(), static_cast<std::size_t>(size)));
  std::memcpy(buffer, password->data(), static_cast<std::size_t>(length));
  return length;
}

// "Proc-Type: 4,ENCRYPTED" + "DEK-Info: <cipher>,<iv>": the body is encrypted
// with a key made from the password by EVP_BytesToKey (MD5).
Result<std::span<const std::uint8_t>> decrypt_legacy_pem(PemBlock& block, EVP_CIPHER_INFO& cipher,
                                                         const Password& password) {
  if (!password.has_value() || password->empty()) return needs_password_error("an encrypted key");
  long length = block.length;
  if (PEM_do_header(&cipher, block.data.get(), &length, password_callback, const_cast<std::string*>(&*password)) != 1) {
    const unsigned long code = ERR_peek_last_error();
    if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_BAD_DECRYPT) {
      return wrong_password_error("encrypted key", "key's password");
    }
    return make_error("cannot decrypt this PEM key (" + last_openssl_reason() + ")");
  }
  block.length = length;
  return block.bytes();
}

Result<EvpPkeyPtr> decode_private_key_block(PemBlock& block, const Password& password) {
  const std::string_view name = block.name.get();
  if (name == "ENCRYPTED PRIVATE KEY") {
    const unsigned char* cursor = block.data.get();
    X509SigPtr encrypted(d2i_X509_SIG(nullptr, &cursor, block.length));
    if (!encrypted) return make_error("its ENCRYPTED PRIVATE KEY block is damaged (" + last_openssl_reason() + ")");
    return decrypt_pkcs8(*encrypted, password);
  }
  if (name == "OPENSSH PRIVATE KEY") {
    return make_error("holds an OpenSSH-format key; convert it to PEM first (ssh-keygen -p -m PKCS8 -f FILE)");
  }
  // The label names the algorithm of traditional forms, even when encrypted.
  if (name == "EC PRIVATE KEY") return not_rsa_error("EC");
  if (name == "DSA PRIVATE KEY") return not_rsa_error("DSA");

  EVP_CIPHER_INFO cipher;
  if (PEM_get_EVP_CIPHER_INFO(block.header.get(), &cipher) != 1) {
    return make_error("uses a PEM encryption this OpenSSL build cannot read (" + last_openssl_reason() +
                      "); re-export the key with AES (openssl pkcs8 -topk8 -v2 aes-256-cbc)");
  }
  std::span<const std::uint8_t> der = block.bytes();
  const bool encrypted = cipher.cipher != nullptr;
  if (encrypted) {
    Result<std::span<const std::uint8_t>> decrypted = decrypt_legacy_pem(block, cipher, password);
    if (!decrypted) return decrypted.error();
    der = *decrypted;
  }
  if (EvpPkeyPtr key = decode_plain_key_der(der)) return key;
  // The CBC padding of a wrong password still checks one time in 256.
  if (encrypted) return wrong_password_error("encrypted key", "key's password");
  return make_error("its " + std::string(name) + " block does not hold a readable key (" + last_openssl_reason() + ")");
}

}  // namespace

Result<EvpPkeyPtr> decode_pem_private_key(std::span<const std::uint8_t> contents, const Password& password) {
  BioPtr bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
  if (!bio) return make_error("out of memory reading the key");
  std::optional<Result<EvpPkeyPtr>> first_other;  // a non-RSA key, or why a key block failed
  bool saw_certificate = false;
  bool saw_public_key = false;
  bool damaged = false;
  for (;;) {
    PemBlock block;
    const PemRead read = read_pem_block(*bio, block);
    if (read == PemRead::end) break;
    if (read == PemRead::damaged) {
      damaged = true;
      break;
    }
    const std::string_view name = block.name.get();
    if (ends_with(name, "PRIVATE KEY")) {
      Result<EvpPkeyPtr> key = decode_private_key_block(block, password);
      if (key && EVP_PKEY_is_a(key->get(), "RSA") == 1) return key;
      if (!first_other) first_other.emplace(std::move(key));
    } else if (ends_with(name, "CERTIFICATE")) {
      saw_certificate = true;
    } else if (ends_with(name, "PUBLIC KEY")) {
      saw_public_key = true;
    }
  }
  if (first_other) return std::move(*first_other);
  if (damaged) return make_error("not a readable PEM file (a PEM block is damaged: " + last_openssl_reason() + ")");
  if (saw_certificate) return no_private_key_error();
  if (saw_public_key) return public_key_only_error();
  return not_a_key_error();
}

}  // namespace tlsring::keys::detail
