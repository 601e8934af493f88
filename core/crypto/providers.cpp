#include "core/crypto/providers.h"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <mutex>

namespace tlsring::crypto {

Status ensure_crypto_providers() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] {
    // Loading "legacy" explicitly unloads the implicit default, so both are named.
    // The handles stay loaded for the life of the process on purpose.
    if (OSSL_PROVIDER_load(nullptr, "default") == nullptr) {
      result = make_error("cannot load OpenSSL's default provider");
      return;
    }
    if (OSSL_PROVIDER_load(nullptr, "legacy") == nullptr) {
      ERR_clear_error();
      result = make_error(
          "cannot load OpenSSL's legacy provider (needed for RC4 suites and legacy .pfx files); "
          "install the OpenSSL library package that ships ossl-modules/legacy.so");
    }
  });
  return result;
}

}  // namespace tlsring::crypto
