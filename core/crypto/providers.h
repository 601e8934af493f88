// OpenSSL 3 providers: the default one, plus the legacy one, which holds RC4
// (old cipher suites) and the RC2/3DES PBEs of the .pfx files Windows exports.
#pragma once

#include "core/result.h"

namespace tlsring::crypto {

// Loads the default and legacy providers once per process. Thread safe; later
// calls return the first call's result.
Status ensure_crypto_providers();

}  // namespace tlsring::crypto
