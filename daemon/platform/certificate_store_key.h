// A server key taken from the Windows certificate store by thumbprint: the
// platform exports it as PKCS#12 (platform.h), and the core's PKCS#12 code
// loads it, so the key is checked exactly like one from a .pfx file.
//
// Errors name the store and thumbprint and say what to do (wrong or garbled
// thumbprint, no such certificate, no private key, key not exportable; on
// Linux: the store is Windows only, export a .pfx).
#pragma once

#include <string_view>

#include "core/keys/rsa_private_key.h"
#include "core/result.h"
#include "daemon/platform/thumbprint.h"

namespace tlsring::platform {

// `thumbprint_text` as a person pasted it (see parse_thumbprint).
Result<keys::RsaPrivateKey> load_certificate_store_key(const CertificateStoreName& store,
                                                       std::string_view thumbprint_text);

}  // namespace tlsring::platform
