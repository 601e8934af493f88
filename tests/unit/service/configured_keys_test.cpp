// load_configured_keys with a certificate-store key (thumbprint:) on Linux:
// a start error naming the config entry, the store and the thumbprint, and
// saying to export a .pfx; configured_key_specs keeps its server binding.
#include <catch2/catch.hpp>

#include "config/config_loader.h"
#include "core/decrypt/key_store.h"
#include "daemon/service/configured_keys.h"

using namespace tlsring;

namespace {

const char* const kStoreKeyConfig =
    "decrypt:\n"
    "  keys:\n"
    "    - server: 10.20.0.5:3000\n"
    "      thumbprint: \"a9 4f 2c 01 7e d3 55 90 0b c8 61 3a ff 00 12 34 56 78 9a bc\"\n";

}  // namespace

TEST_CASE("configured keys: a certificate-store key on Linux says the store is Windows only, and where") {
  auto config = config::parse_config(kStoreKeyConfig, "/etc/tlsring/tlsring.yaml");
  REQUIRE(config.ok());
  decrypt::KeyStore store;
  const Status loaded = daemon::load_configured_keys(*config, store);
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.error().message,
             Catch::StartsWith("/etc/tlsring/tlsring.yaml:3:7: decrypt.keys: certificate store LocalMachine\\My, "
                               "thumbprint A94F2C017ED355900BC8613AFF00123456789ABC: the certificate store is "
                               "Windows only") &&
                 Catch::Contains("Export-PfxCertificate") && Catch::Contains(".pfx"));
  CHECK_FALSE(store.has_rsa_keys());
}

TEST_CASE("configured keys: a certificate-store entry's spec has its server and no file") {
  auto config = config::parse_config(kStoreKeyConfig, "/etc/tlsring/tlsring.yaml");
  REQUIRE(config.ok());
  auto specs = daemon::configured_key_specs(*config);
  REQUIRE(specs.ok());
  REQUIRE(specs->size() == 1);
  CHECK((*specs)[0].file.empty());
  REQUIRE((*specs)[0].server);
  CHECK((*specs)[0].server->to_string() == "10.20.0.5:3000");
}
