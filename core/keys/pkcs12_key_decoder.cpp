// PKCS#12 / .pfx, as Windows' certificate export, openssl pkcs12 and Java's
// keytool write them. Files from Windows and older OpenSSL protect the bags
// with RC2-40 and 3DES PBEs, which OpenSSL 3 only has in its legacy provider.
//
// The bags are walked here rather than with PKCS12_parse: PKCS12_parse in
// OpenSSL 3.0 refuses files without a MAC (keytool writes those), decrypts
// every certificate even when only the key is wanted, and takes the first key
// even when an RSA key follows.
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>

#include <vector>

#include "core/crypto/providers.h"
#include "core/keys/key_decoding.h"

namespace tlsring::keys::detail {

namespace {

constexpr std::string_view kWhat = "PKCS#12 file";
constexpr int kMaxBagNesting = 4;

enum class Search { done, cannot_decrypt };

struct KeySearch {
  EvpPkeyPtr rsa_key;    // the first RSA key: the search stops there
  EvpPkeyPtr other_key;  // else the first other key, to name its algorithm
};

void keep(EvpPkeyPtr key, KeySearch& found) {
  if (!key) return;
  if (EVP_PKEY_is_a(key.get(), "RSA") == 1) {
    found.rsa_key = std::move(key);
  } else if (!found.other_key) {
    found.other_key = std::move(key);
  }
}

Search search_bags(const STACK_OF(PKCS12_SAFEBAG)& bags, const char* pass, KeySearch& found, int depth) {
  for (int i = 0; i < sk_PKCS12_SAFEBAG_num(&bags) && !found.rsa_key; ++i) {
    const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(&bags, i);
    switch (PKCS12_SAFEBAG_get_nid(bag)) {
      case NID_keyBag:
        keep(EvpPkeyPtr(EVP_PKCS82PKEY_ex(PKCS12_SAFEBAG_get0_p8inf(bag), nullptr, nullptr)), found);
        break;
      case NID_pkcs8ShroudedKeyBag: {
        Pkcs8InfoPtr info(PKCS12_decrypt_skey_ex(bag, pass, -1, nullptr, nullptr));
        if (!info) return Search::cannot_decrypt;
        keep(EvpPkeyPtr(EVP_PKCS82PKEY_ex(info.get(), nullptr, nullptr)), found);
        break;
      }
      case NID_safeContentsBag:
        if (depth < kMaxBagNesting) {
          if (search_bags(*PKCS12_SAFEBAG_get0_safes(bag), pass, found, depth + 1) == Search::cannot_decrypt) {
            return Search::cannot_decrypt;
          }
        }
        break;
      default:
        break;  // certificates, CRLs, secrets: not needed
    }
  }
  return Search::done;
}

// Plain "data" contents first: Windows and OpenSSL put the (shrouded) key
// there and the certificates in "encryptedData", which then need not be
// decrypted at all.
Search search_pkcs12(PKCS12& pkcs12, const char* pass, KeySearch& found) {
  Pkcs7StackPtr contents(PKCS12_unpack_authsafes(&pkcs12));
  if (!contents) return Search::cannot_decrypt;
  for (const bool encrypted_pass : {false, true}) {
    for (int i = 0; i < sk_PKCS7_num(contents.get()) && !found.rsa_key; ++i) {
      PKCS7* content = sk_PKCS7_value(contents.get(), i);
      SafeBagStackPtr bags;
      if (!encrypted_pass && PKCS7_type_is_data(content)) {
        bags.reset(PKCS12_unpack_p7data(content));
      } else if (encrypted_pass && PKCS7_type_is_encrypted(content)) {
        bags.reset(PKCS12_unpack_p7encdata(content, pass, -1));
      } else {
        continue;
      }
      if (!bags || search_bags(*bags, pass, found, 0) == Search::cannot_decrypt) return Search::cannot_decrypt;
    }
  }
  return Search::done;
}

Result<EvpPkeyPtr> take_key(KeySearch& found) {
  if (found.rsa_key) return std::move(found.rsa_key);
  if (found.other_key) return std::move(found.other_key);
  return no_private_key_error();
}

Error cannot_decrypt_error() {
  std::string message = "cannot decrypt the contents of this PKCS#12 file (" + last_openssl_reason() + ")";
  if (Status providers = crypto::ensure_crypto_providers(); !providers) message += "; " + providers.error().message;
  return make_error(message);
}

}  // namespace

Result<EvpPkeyPtr> decode_pkcs12(PKCS12& pkcs12, const Password& password) {
  const bool have_password = password.has_value() && !password->empty();
  // OpenSSL encodes an empty password two ways (NULL, or "" with a
  // terminator); writers use either, so both are tried.
  std::vector<const char*> candidates;
  if (have_password) candidates.push_back(password->c_str());
  candidates.push_back(nullptr);
  candidates.push_back("");

  if (PKCS12_mac_present(&pkcs12) == 1) {
    // The MAC tells a wrong password apart from a damaged file before any decryption.
    for (const char* pass : candidates) {
      if (PKCS12_verify_mac(&pkcs12, pass, -1) != 1) continue;
      // A password given for a file exported without one is not needed: the file opens anyway.
      KeySearch found;
      if (search_pkcs12(pkcs12, pass, found) == Search::cannot_decrypt) return cannot_decrypt_error();
      return take_key(found);
    }
  } else {
    // Without a MAC, a failed decryption is the only sign of a wrong password.
    for (const char* pass : candidates) {
      KeySearch found;
      if (search_pkcs12(pkcs12, pass, found) == Search::done) return take_key(found);
    }
  }
  if (!have_password) return needs_password_error("a password-protected PKCS#12 file");
  return wrong_password_error(kWhat, "export password");
}

}  // namespace tlsring::keys::detail
