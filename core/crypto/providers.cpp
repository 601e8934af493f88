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
    // while threads may still be ending (on Windows, winpthreads runs a
    // thread's exit cleanup after join() has returned). This was added for a
    // crash of tlsring.exe at exit that turned out to have another cause:
    // key_schedule's per-thread contexts, now freed by each thread itself
    // (release_thread_key_schedule_contexts()). It stays as a guard for any
    // OpenSSL object a late-ending thread may still free; the process's exit
    // gives the memory back anyway. Called first, before anything initialises
    // OpenSSL.
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
