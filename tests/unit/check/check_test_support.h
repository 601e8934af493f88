// Helpers for the `tlsring check` tests: a config written into a temporary
// directory, the command run in-process with its output captured, and
// captures of real TLS made by the generator (tests/gen) with a known key.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/gen/scenario.h"
#include "tests/support/temp_dir.h"

namespace tlsring::check_test {

namespace fs = std::filesystem;

struct CheckRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// run_check_command(args), with the text it printed (also shown on stdout
// when TLSRING_CHECK_SHOW is set, to read what an operator sees).
CheckRun run_check(const std::vector<std::string>& args);

// The lines of `text` that start with `label` ("ok", "warn", "FAIL") and hold `needle`.
std::vector<std::string> lines_with(const std::string& text, const std::string& label, const std::string& needle);

// The generator's config for `sessions` connections negotiating `ciphers`
// (OpenSSL names), written with the server key (server.key.pem) into `dir`.
testgen::ScenarioConfig capture_config(const fs::path& dir, const std::string& ciphers, std::size_t sessions = 1);
// generate(config); REQUIREs success.
testgen::GeneratedScenario generate_capture(const testgen::ScenarioConfig& config);
// Both: one capture file.
testgen::GeneratedScenario make_capture(const fs::path& dir, const std::string& ciphers, std::size_t sessions = 1);

// "IP:PORT" of the server of the scenario's first connection.
std::string server_of(const testgen::GeneratedScenario& scenario);

// Writes `path` with `text` and sets its mode.
void write_file(const fs::path& path, const std::string& text, fs::perms mode);

// The parts of a test config that tests change (YAML as written).
struct ConfigParts {
  std::string interfaces = "[any]";
  std::string filter = "\"tcp port 3000\"";
  std::string min_free_space = "0B";  // no disk space floor
  std::string output = "out";         // next to the config file
  std::string keys;                   // the body of decrypt.keys: YAML lines indented by 4
  std::string keylogs;                // the value of decrypt.keylogs ("" = absent)
};
std::string config_text(const ConfigParts& parts);

// The first 8 bytes, in hex, of SHA-256 over the key's DER SubjectPublicKeyInfo
// (computed with OpenSSL here, not with the code under test).
std::string public_key_short_id(const fs::path& key_pem);

}  // namespace tlsring::check_test
