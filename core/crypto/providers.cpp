#include "core/crypto/providers.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include <mutex>

namespace tlsring::crypto {

Status ensure_crypto_providers() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] {
    // OpenSSL frees its global state in an atexit handler unless told not to,
    // while threads may still be ending: their thread_local objects (the HMAC
    // contexts of key_schedule.cpp) then free OpenSSL objects after OpenSSL's
    // own state is gone. On Windows (winpthreads) a pool thread's thread_local
    // destructors can run after join() has returned, and tlsring.exe crashed at
    // exit that way (under Wine, about 1 run in 30). The process's exit gives
    // the memory back anyway. Called first, before anything initialises OpenSSL.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
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
