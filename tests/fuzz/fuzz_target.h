// What every fuzz target in tests/fuzz provides and may use.
//
// A target is one libFuzzer entry point, LLVMFuzzerTestOneInput, in a file of
// its own. It links either with libFuzzer (-fsanitize=fuzzer, CMake option
// TLSRING_LIBFUZZER) or with standalone_driver.cpp, which runs it over files
// and deterministic mutations of them (the ctests). A target returns 0; it
// reports a broken invariant with fuzz_check(), which aborts, so that both
// drivers (and the sanitizers) treat it as a crash and keep the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace tlsring::fuzz {

// Aborts with `what` when `condition` does not hold.
inline void fuzz_check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "\n*** FUZZ INVARIANT BROKEN: %s ***\n", what);
  std::fflush(stderr);
  std::abort();
}

}  // namespace tlsring::fuzz
