// The keys of a configuration, loaded as `tlsring decrypt --key` loads them;
// a key in the Windows certificate store (thumbprint:) through the platform
// (daemon/platform/certificate_store_key.h).
#pragma once

#include <vector>

#include "config/service_config.h"
#include "core/decrypt/key_store.h"
#include "core/result.h"
#include "daemon/cli/key_spec.h"

namespace tlsring::daemon {

// The `decrypt.keys` entries as key specs, one per entry in order; an error
// names the entry (file:line:column). A certificate-store entry has an empty
// `file` (its server binding is all a spec says about it).
Result<std::vector<cli::KeySpec>> configured_key_specs(const config::ServiceConfig& config);

// Whether load_configured_keys() reads the key logs too. The service does not:
// it follows them as they grow (key_log_follower.h).
enum class KeyLogLoading { read, skip };

// Loads every key and key log of the configuration into `store`; an error
// names the config entry and the key file (or store and thumbprint) and says
// what to do.
Status load_configured_keys(const config::ServiceConfig& config, decrypt::KeyStore& store,
                            KeyLogLoading key_logs = KeyLogLoading::read);

}  // namespace tlsring::daemon
