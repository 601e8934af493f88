#include "daemon/service/configured_keys.h"

namespace tlsring::daemon {

Result<std::vector<cli::KeySpec>> configured_key_specs(const config::ServiceConfig& config) {
  std::vector<cli::KeySpec> specs;
  for (const config::KeyConfig& key : config.decrypt.keys) {
    cli::KeySpec spec;
    spec.file = key.file.string();
    if (key.password_file) spec.password_file = key.password_file->string();
    spec.password_env = key.password_env;
    if (key.server) {
      auto endpoint = cli::parse_endpoint(*key.server);
      if (!endpoint.ok()) return endpoint.error().with_context(key.where.to_string() + ": decrypt.keys.server");
      spec.server = *endpoint;
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

Status load_configured_keys(const config::ServiceConfig& config, decrypt::KeyStore& store) {
  auto specs = configured_key_specs(config);
  if (!specs.ok()) return specs.error();
  for (std::size_t i = 0; i < specs->size(); ++i) {
    if (Status loaded = cli::load_keys({(*specs)[i]}, {}, store); !loaded.ok()) {
      return loaded.error().with_context(config.decrypt.keys[i].where.to_string() + ": decrypt.keys");
    }
  }
  std::vector<std::string> keylogs;
  for (const auto& path : config.decrypt.keylogs) keylogs.push_back(path.string());
  if (Status loaded = cli::load_keys({}, keylogs, store); !loaded.ok()) {
    return loaded.error().with_context(config.source.string() + ": decrypt.keylogs");
  }
  return {};
}

}  // namespace tlsring::daemon
