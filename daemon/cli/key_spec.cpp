#include "daemon/cli/key_spec.h"

#include "core/decrypt/key_store.h"
#include "daemon/platform/ip_address_text.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tlsring::cli {

Result<net::Endpoint> parse_endpoint(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error("'" + std::string(text) + "' is not IP:PORT (write IPv6 as [ADDRESS]:PORT)");
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return make_error("'" + std::string(text) + "' is not IP:PORT (write IPv6 as [ADDRESS]:PORT)");
    }
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  net::Endpoint endpoint;
  const auto address = platform::parse_ip_address(host);
  if (!address) return make_error("'" + host + "' is not an IPv4 or IPv6 address");
  endpoint.ip.version = address->version;
  endpoint.ip.bytes = address->bytes;
  unsigned long port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return make_error("'" + std::string(port_text) + "' is not a port number");
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) break;
  }
  if (port_text.empty() || port == 0 || port > 65535) {
    return make_error("'" + std::string(port_text) + "' is not a port number (1-65535)");
  }
  endpoint.port = static_cast<std::uint16_t>(port);
  return endpoint;
}

namespace {

// Options start at the first comma followed by NAME= (letters and dashes), so a
// misspelt option is reported rather than read as part of the file name.
std::size_t options_start(std::string_view text) {
  for (std::size_t comma = text.find(','); comma != std::string_view::npos; comma = text.find(',', comma + 1)) {
    std::size_t end = comma + 1;
    while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || text[end] == '-')) ++end;
    if (end > comma + 1 && end < text.size() && text[end] == '=') return comma;
  }
  return std::string_view::npos;
}

}  // namespace

Result<KeySpec> parse_key_spec(std::string_view text) {
  KeySpec spec;
  std::string_view rest = text;
  std::string_view options;
  if (const std::size_t comma = options_start(rest); comma != std::string_view::npos) {
    options = rest.substr(comma + 1);
    rest = rest.substr(0, comma);
  }
  const auto equals = rest.find('=');
  if (equals != std::string_view::npos) {
    auto endpoint = parse_endpoint(rest.substr(0, equals));
    if (!endpoint.ok()) return endpoint.error().with_context("--key " + std::string(text));
    spec.server = endpoint.value();
    rest = rest.substr(equals + 1);
  }
  if (rest.empty()) return make_error("--key " + std::string(text) + ": no key file given");
  spec.file = std::string(rest);
  while (!options.empty()) {
    const std::size_t next = options_start(options);
    const std::string_view option = options.substr(0, next);
    options = next == std::string_view::npos ? std::string_view() : options.substr(next + 1);
    if (option.rfind("password-file=", 0) == 0) {
      spec.password_file = std::string(option.substr(14));
    } else if (option.rfind("password-env=", 0) == 0) {
      spec.password_env = std::string(option.substr(13));
    } else {
      return make_error("--key " + std::string(text) + ": unknown option '" + std::string(option) +
                        "' (use password-file=FILE or password-env=VARIABLE)");
    }
  }
  if (spec.password_file && spec.password_env) {
    return make_error("--key " + std::string(text) + ": give password-file or password-env, not both");
  }
  return spec;
}

Result<std::optional<std::string>> read_key_password(const KeySpec& spec) {
  if (spec.password_env) {
    const char* value = std::getenv(spec.password_env->c_str());
    if (value == nullptr) {
      return make_error("the environment variable " + *spec.password_env + " (password of " + spec.file +
                        ") is not set");
    }
    return std::optional<std::string>(value);
  }
  if (spec.password_file) {
    std::ifstream in(*spec.password_file, std::ios::binary);
    if (!in) return make_error("cannot read password file " + *spec.password_file + " (for " + spec.file + ")");
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return std::optional<std::string>(line);
  }
  return std::optional<std::string>();
}

Status load_keys(const std::vector<KeySpec>& keys, const std::vector<std::string>& keylogs, decrypt::KeyStore& store) {
  for (const KeySpec& spec : keys) {
    auto password = read_key_password(spec);
    if (!password.ok()) return password.error();
    auto key = keys::RsaPrivateKey::load(spec.file, password.value());
    if (!key.ok()) return key.error();
    if (spec.server) {
      store.add_bound_key(*spec.server, std::move(key.value()));
    } else {
      store.add_unbound_key(std::move(key.value()));
    }
  }
  store.note_key_logs_given(keylogs.size());
  for (const std::string& file : keylogs) {
    if (auto added = store.key_log().add_file(file); !added.ok()) return added.error();
  }
  return {};
}

}  // namespace tlsring::cli
