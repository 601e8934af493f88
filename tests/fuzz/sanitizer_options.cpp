// Defaults for the sanitizer runtimes of the fuzz binaries (hooks the runtimes
// call at start-up when linked in; unused otherwise).
#include "core/crypto/providers.h"

extern "C" {

// A UBSan report must fail the run, not scroll by.
const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

const char* __asan_default_options() { return "detect_leaks=1:allocator_may_return_null=1"; }

__attribute__((weak)) void __lsan_disable(void);
__attribute__((weak)) void __lsan_enable(void);
}

namespace {

// OpenSSL 3.0's legacy provider, loaded once per process by
// crypto::ensure_crypto_providers and kept on purpose, leaves its child library
// context behind at exit: not tlsring's leak, and not one per input. It is
// loaded here, before any input, with LeakSanitizer looking away.
const bool providers_loaded = [] {
  if (__lsan_disable != nullptr) __lsan_disable();
  const bool ok = tlsring::crypto::ensure_crypto_providers().ok();
  if (__lsan_enable != nullptr) __lsan_enable();
  return ok;
}();

}  // namespace
