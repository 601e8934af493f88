#include "tests/unit/check/check_test_support.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <fstream>
#include <memory>
#include <sstream>

#include "daemon/cli/check_command.h"

namespace tlsring::check_test {

CheckRun run_check(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  CheckRun run;
  run.exit_code = cli::run_check_command(args, out, err);
  run.out = out.str();
  run.err = err.str();
  if (std::getenv("TLSRING_CHECK_SHOW") != nullptr) std::cout << "$ tlsring check ..." << "\n" << run.out << run.err;
  return run;
}

std::vector<std::string> lines_with(const std::string& text, const std::string& label, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(label + " ", 0) == 0 && line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

testgen::ScenarioConfig capture_config(const fs::path& dir, const std::string& ciphers, std::size_t sessions) {
  testgen::ScenarioConfig config;
  config.output.dir = dir;
  config.output.write_plaintext = false;
  config.output.write_manifest = false;
  config.output.write_keylog = false;
  config.sessions = sessions;
  config.specs[0].tls.ciphers = ciphers;
  config.specs[0].traffic.exchanges = 2;
  return config;
}

testgen::GeneratedScenario generate_capture(const testgen::ScenarioConfig& config) {
  auto generated = testgen::generate(config);
  INFO((generated.ok() ? std::string() : generated.error().message));
  REQUIRE(generated.ok());
  REQUIRE(generated->connections.size() == config.sessions);
  return std::move(generated.value());
}

testgen::GeneratedScenario make_capture(const fs::path& dir, const std::string& ciphers, std::size_t sessions) {
  auto scenario = generate_capture(capture_config(dir, ciphers, sessions));
  REQUIRE(scenario.files.size() == 1);
  return scenario;
}

std::string server_of(const testgen::GeneratedScenario& scenario) {
  const auto& server = scenario.connections.at(0).server;
  return server.ip.to_string() + ":" + std::to_string(server.port);
}

void write_file(const fs::path& path, const std::string& text, fs::perms mode) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(path, mode);
}

std::string config_text(const ConfigParts& parts) {
  std::string text = "capture:\n  interfaces: " + parts.interfaces + "\n  filter: " + parts.filter +
                     "\nrotation:\n  min_free_space: " + parts.min_free_space + "\noutput:\n  directory: " +
                     parts.output + "\ndecrypt:\n  workers: 1\n";
  if (!parts.keys.empty()) text += "  keys:\n" + parts.keys;
  if (!parts.keylogs.empty()) text += "  keylogs: " + parts.keylogs + "\n";
  return text;
}

std::string public_key_short_id(const fs::path& key_pem) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(key_pem.c_str(), "rb"), std::fclose);
  REQUIRE(file);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr),
                                                     EVP_PKEY_free);
  REQUIRE(key);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key.get(), &der);
  REQUIRE(length > 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  REQUIRE(EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(), nullptr) == 1);
  OPENSSL_free(der);
  std::string hex;
  char byte[3];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace tlsring::check_test
