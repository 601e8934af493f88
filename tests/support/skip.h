// Skipping a test loudly: ctest registers every test with SKIP_RETURN_CODE 4,
// so a skipped test shows as skipped (never as passed), with its reason.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace tlsring::testing {

[[noreturn]] inline void skip_test(const std::string& test_name, const std::string& reason) {
  std::fprintf(stderr, "\n*** SKIPPED: %s: %s ***\n", test_name.c_str(), reason.c_str());
  std::fflush(stderr);
  std::_Exit(4);
}

}  // namespace tlsring::testing
