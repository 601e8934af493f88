// A server key taken from the Windows certificate store by thumbprint: the
// platform exports it as PKCS#12 (platform.h), and the core's PKCS#12 code
// loads it, so the key is checked exactly like one from a .pfx file.
//
// Errors name the store and thumbprint and say what to do (no such
// certificate, no private key, key not exportable; on Linux: the store is
// Windows only, export a .pfx). The thumbprint was parsed before (the config
// loader does it, with the entry's position in its messages).
#pragma once

#include "config/thumbprint.h"
#include "core/keys/rsa_private_key.h"
#include "core/result.h"

namespace tlsring::platform {

Result<keys::RsaPrivateKey> load_certificate_store_key(const config::CertificateStoreName& store,
                                                       const config::Thumbprint& thumbprint);

}  // namespace tlsring::platform
