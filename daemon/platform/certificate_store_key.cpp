#include "daemon/platform/certificate_store_key.h"

#include <span>

#include "daemon/platform/platform.h"

namespace tlsring::platform {
namespace {

// The export is the private key under a password that sits beside it: wipe
// both once loaded. volatile keeps the compiler from dropping the stores.
template <class Container>
void wipe(Container& bytes) {
  volatile char* p = reinterpret_cast<volatile char*>(bytes.data());
  for (std::size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
}

}  // namespace

Result<keys::RsaPrivateKey> load_certificate_store_key(const config::CertificateStoreName& store,
                                                       const config::Thumbprint& thumbprint) {
  const std::string source =
      "certificate store " + format_certificate_store_name(store) + ", thumbprint " + format_thumbprint(thumbprint);
  auto exported = export_certificate_store_key(store, thumbprint);
  if (!exported.ok()) return exported.error().with_context(source);
  auto key = keys::RsaPrivateKey::parse(std::span<const std::uint8_t>(exported->pkcs12), source, exported->password);
  wipe(exported->pkcs12);
  wipe(exported->password);
  return key;
}

}  // namespace tlsring::platform
