// The key material the decrypting fuzz targets (fuzz_capture, fuzz_tls_stream)
// put in each run's KeyStore, so that mutated inputs get past the key exchange
// into record decryption:
//  - the Wireshark fixture keys rsasnakeoil2.key and key.p12, unbound (matched
//    by the certificate), and every key log of the fixtures (when
//    TLSRING_FIXTURES_DIR holds them);
//  - RSA keys named in TLSRING_FUZZ_RSA_KEYS and key logs named in
//    TLSRING_FUZZ_KEYLOGS (':'-separated paths): the ctests give the keys of
//    the captures they generate this way.
// Every run gets a KeyStore of its own, filled from the same material, so a run
// never depends on the session cache of the runs before it.
#pragma once

#include "core/decrypt/key_store.h"

namespace tlsring::fuzz {

// Loads the material once (aborting on a named file that does not load), then
// adds it to `store`.
void fill_key_store(decrypt::KeyStore& store);

}  // namespace tlsring::fuzz
