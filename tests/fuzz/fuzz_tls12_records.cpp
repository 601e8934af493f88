// fuzz_tls12_records: a TLS 1.0-1.2 session the harness protects itself
// (tls12_script.h), fed into a decrypt::TlsConnection whose key log holds the
// master secrets: CBC padding and MACs on chosen plaintext, encrypt-then-MAC,
// AEAD and RC4 records, Finished verification and renegotiation under
// encryption, which byte mutations of captured ciphertext never reach.
#include "tests/fuzz/record_script.h"
#include "tests/fuzz/tls12_script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tlsring::keys::KeyLog key_log = tlsring::fuzz::parse_script_key_log(tlsring::fuzz::tls12_key_log());
  tlsring::fuzz::run_scripted_session(key_log, tlsring::fuzz::play_tls12_script, {data, size});
  return 0;
}
