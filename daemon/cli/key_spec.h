// The --key argument of `tlsring decrypt`: [IP:PORT=]FILE[,password-file=F|,password-env=VAR].
// Pure parsing; reading the password is separate (read_key_password).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/packet_decoder.h"
#include "core/result.h"

namespace tlsring::decrypt {
class KeyStore;
}

namespace tlsring::cli {

struct KeySpec {
  std::optional<net::Endpoint> server;   // bound to this server; unbound when empty
  std::string file;
  std::optional<std::string> password_file;
  std::optional<std::string> password_env;
};

Result<KeySpec> parse_key_spec(std::string_view text);

// "10.0.0.1:3000" or "[2001:db8::1]:3000".
Result<net::Endpoint> parse_endpoint(std::string_view text);

// The password a KeySpec names: the first line of password_file (its final
// newline removed), or the environment variable. nullopt when neither is given.
Result<std::optional<std::string>> read_key_password(const KeySpec& spec);

// Loads every key (reading its password) and every key-log file into `store`.
// The first failure, naming the file and what to do.
Status load_keys(const std::vector<KeySpec>& keys, const std::vector<std::string>& keylogs, decrypt::KeyStore& store);

}  // namespace tlsring::cli
