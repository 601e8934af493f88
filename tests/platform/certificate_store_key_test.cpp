// load_certificate_store_key: errors carry the store and the normalised
// thumbprint (the thumbprint's own parsing is tested with the config).
#include <catch2/catch.hpp>

#include "config/thumbprint.h"
#include "daemon/platform/certificate_store_key.h"

namespace tp = tlsring::platform;

TEST_CASE("certificate store key: on Linux the store is not there, and the error names it") {
  tlsring::config::CertificateStoreName store;
  store.store = "WebHosting";
  auto thumbprint =
      tlsring::config::parse_thumbprint("\xE2\x80\x8E" "a9 4f 2c 01 7e d3 55 90 0b c8 61 3a ff 00 12 34 56 78 9a bc");
  REQUIRE(thumbprint.ok());
  auto key = tp::load_certificate_store_key(store, *thumbprint);
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error().message,
             Catch::StartsWith("certificate store LocalMachine\\WebHosting, thumbprint "
                               "A94F2C017ED355900BC8613AFF00123456789ABC: ") &&
                 Catch::Contains("Windows only") && Catch::Contains(".pfx"));
}
