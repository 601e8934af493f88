#include "daemon/service/configured_keys.h"

#include "daemon/platform/certificate_store_key.h"

namespace tlsring::daemon {
namespace {

void add_key(decrypt::KeyStore& store, const cli::KeySpec& spec, keys::RsaPrivateKey key) {
  if (spec.server) {
    store.add_bound_key(*spec.server, std::move(key));
  } else {
    store.add_unbound_key(std::move(key));
  }
}

}  // namespace

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

Status load_configured_keys(const config::ServiceConfig& config, decrypt::KeyStore& store, KeyLogLoading key_logs) {
  auto specs = configured_key_specs(config);
  if (!specs.ok()) return specs.error();
  for (std::size_t i = 0; i < specs->size(); ++i) {
    const config::KeyConfig& entry = config.decrypt.keys[i];
    const cli::KeySpec& spec = (*specs)[i];
    Status loaded;
    if (entry.certificate_store_key) {
      auto key = platform::load_certificate_store_key(entry.certificate_store_key->store,
                                                      entry.certificate_store_key->thumbprint);
      if (key.ok()) {
        add_key(store, spec, std::move(key.value()));
      } else {
        loaded = key.error();
      }
    } else {
      loaded = cli::load_keys({spec}, {}, store);
    }
    if (!loaded.ok()) return loaded.error().with_context(entry.where.to_string() + ": decrypt.keys");
  }
  if (key_logs == KeyLogLoading::skip) return {};
  std::vector<std::string> keylogs;
  for (const auto& path : config.decrypt.keylogs) keylogs.push_back(path.string());
  if (Status loaded = cli::load_keys({}, keylogs, store); !loaded.ok()) {
    return loaded.error().with_context(config.source.string() + ": decrypt.keylogs");
  }
  return {};
}

}  // namespace tlsring::daemon
