#include "tests/fuzz/fuzz_keys.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/providers.h"
#include "tests/fuzz/fuzz_target.h"

namespace tlsring::fuzz {
namespace {

namespace fs = std::filesystem;

struct Material {
  std::vector<keys::RsaPrivateKey> rsa_keys;
  keys::KeyLog key_log;
};

std::vector<std::string> split_paths(const char* list) {
  std::vector<std::string> out;
  if (list == nullptr) return out;
  std::string text(list);
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find(':', start);
    const std::string item = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!item.empty()) out.push_back(item);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

void add_key(Material& m, const fs::path& path, const std::optional<std::string>& password = std::nullopt) {
  auto key = keys::RsaPrivateKey::load(path, password);
  if (!key) std::fprintf(stderr, "fuzz keys: %s\n", key.error().message.c_str());
  fuzz_check(key.ok(), "a key file given to the fuzz target does not load");
  m.rsa_keys.push_back(std::move(key.value()));
}

void add_key_log(Material& m, const fs::path& path) {
  Status added = m.key_log.add_file(path);
  if (!added) std::fprintf(stderr, "fuzz keys: %s\n", added.error().message.c_str());
  fuzz_check(added.ok(), "a key log given to the fuzz target does not load");
}

Material load() {
  fuzz_check(crypto::ensure_crypto_providers().ok(), "the OpenSSL providers do not load");
  Material m;
  const fs::path keys = fs::path(TLSRING_FIXTURES_DIR) / "wireshark" / "keys";
  std::error_code ec;
  if (fs::exists(keys / "rsasnakeoil2.key", ec)) add_key(m, keys / "rsasnakeoil2.key");
  if (fs::exists(keys / "key.p12", ec)) add_key(m, keys / "key.p12", "WebAS");  // dmgr.pcapng's server
  if (fs::is_directory(keys, ec)) {
    std::vector<fs::path> logs;
    for (const auto& entry : fs::directory_iterator(keys)) {
      const fs::path& p = entry.path();
      if (p.extension() == ".keys" || p.filename() == "dhe1_keylog.dat") logs.push_back(p);
    }
    std::sort(logs.begin(), logs.end());
    for (const fs::path& p : logs) add_key_log(m, p);
  }
  for (const std::string& p : split_paths(std::getenv("TLSRING_FUZZ_RSA_KEYS"))) add_key(m, p);
  for (const std::string& p : split_paths(std::getenv("TLSRING_FUZZ_KEYLOGS"))) add_key_log(m, p);
  return m;
}

}  // namespace

void fill_key_store(decrypt::KeyStore& store) {
  static const Material material = load();
  for (const keys::RsaPrivateKey& key : material.rsa_keys) store.add_unbound_key(key);
  store.key_log() = material.key_log;
}

}  // namespace tlsring::fuzz
