// fuzz_tls13_records: a TLS 1.3 session the harness encrypts (tls13_script.h),
// fed into a decrypt::TlsConnection whose key log holds the session's secrets:
// the fuzzer reaches the messages and state changes that only decryption
// reveals, which byte mutations of captured ciphertext never do.
#include "tests/fuzz/record_script.h"
#include "tests/fuzz/tls13_script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tlsring::keys::KeyLog key_log = tlsring::fuzz::parse_script_key_log(tlsring::fuzz::tls13_key_log());
  tlsring::fuzz::run_scripted_session(key_log, tlsring::fuzz::play_tls13_script, {data, size});
  return 0;
}
