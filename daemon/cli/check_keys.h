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
#include "daemon/platform/file_access.h"

namespace tlsring::cli {

// What is wrong with `mode` (st_mode) for a file holding a secret: anything
// beyond 0640 - any access by other users, or the group writing. nullopt when
// the mode is fine ("other users can read it", "the group can write it", ...).
std::optional<std::string> secret_mode_problem(unsigned mode);

// The readers of a secret's DACL (Windows) that must not read it: everyone
// but SYSTEM (S-1-5-18), Administrators (S-1-5-32-544) and the service's
// account `service_account_sid` (when known) - Everyone, Authenticated Users,
// BUILTIN\Users and any other account.
std::vector<platform::FileReader> unwanted_readers(const std::vector<platform::FileReader>& readers,
                                                   const std::optional<std::string>& service_account_sid);

// A line of `status` (FAIL for keys and password files, warn for key logs)
// when the file `name` at `path` is open to others: by its mode bits
// (secret_mode_problem) or, when `file` has an ACL, by unwanted_readers(),
// naming the trustees and the icacls commands that fix it. nullopt when the
// file is private enough.
std::optional<CheckLine> secret_access_line(const std::string& name, const std::filesystem::path& path,
                                            const platform::RegularFileState& file, CheckStatus status,
                                            const std::optional<std::string>& service_account_sid);

// "mode 0640", or with an ACL "readable by NT AUTHORITY\SYSTEM, BUILTIN\Administrators".
std::string access_summary(const platform::RegularFileState& file);

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
