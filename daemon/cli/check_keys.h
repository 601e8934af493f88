// `tlsring check`: the secrets of decrypt.keys and decrypt.keylogs - every key
// file exists, is not open to other users, opens with its configured password
// and holds an RSA private key; password files likewise; key logs read and parse.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/service_config.h"
#include "core/keys/rsa_private_key.h"
#include "daemon/cli/check_report.h"

namespace tlsring::cli {

// What is wrong with `mode` (st_mode) for a file holding a secret: anything
// beyond 0640 - any access by other users, or the group writing. nullopt when
// the mode is fine ("other users can read it", "the group can write it", ...).
std::optional<std::string> secret_mode_problem(unsigned mode);

// The first 8 bytes of a public key id in hex: enough to tell keys apart in a report.
std::string short_key_id(const keys::PublicKeyId& id);

struct KeyChecks {
  std::vector<CheckLine> lines;
  std::vector<std::size_t> unloaded_keys;     // indexes into decrypt.keys that did not load
  std::vector<std::size_t> unloaded_keylogs;  // indexes into decrypt.keylogs that did not load
};

// Checks every key and key log of `config` (reads the files and the password
// sources). Crypto providers must be loaded (crypto::ensure_crypto_providers).
KeyChecks check_key_files(const config::ServiceConfig& config);

}  // namespace tlsring::cli
