// Skipping a test loudly: ctest registers every test with SKIP_RETURN_CODE 4,
// so a skipped test shows as skipped (never as passed), with its reason.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace tlsring::testing {

[[noreturn]] inline void skip_test(const std::string& test_name, const std::string& reason) {
  std::fprintf(stderr, "\n*** SKIPPED: %s: %s ***\n", test_name.c_str(), reason.c_str());
  std::fflush(stderr);
  std::_Exit(4);
}

// The Wireshark reference fixtures (TLSRING_FIXTURES_DIR/wireshark), or the
// running test is skipped, saying that the conformance data was missing.
inline std::filesystem::path wireshark_fixtures_or_skip() {
  const std::filesystem::path dir = std::filesystem::path(TLSRING_FIXTURES_DIR) / "wireshark";
  if (!std::filesystem::exists(dir / "cases.json")) {
    skip_test(Catch::getResultCapture().getCurrentTestName(),
              "the Wireshark reference fixtures are missing (" + dir.string() + "): this test was NOT run");
  }
  return dir;
}

}  // namespace tlsring::testing
