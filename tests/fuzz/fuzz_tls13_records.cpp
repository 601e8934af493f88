// fuzz_tls13_records: a TLS 1.3 session the harness encrypts (tls13_script.h),
// fed into a decrypt::TlsConnection whose key log holds the session's secrets:
// the fuzzer reaches the messages and state changes that only decryption
// reveals, which byte mutations of captured ciphertext never do.
#include "core/decrypt/tls_connection.h"
#include "tests/fuzz/checking_sink.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/tls13_script.h"

namespace {

const tlsring::keys::KeyLog& session_key_log() {
  static const tlsring::keys::KeyLog log = [] {
    tlsring::keys::KeyLog l;
    tlsring::fuzz::fuzz_check(l.add_text(tlsring::fuzz::tls13_key_log(), "harness").ok(),
                              "the harness key log does not parse");
    return l;
  }();
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tlsring::decrypt::KeyStore store;
  store.key_log() = session_key_log();
  tlsring::fuzz::CheckingSink sink;
  {
    tlsring::decrypt::TlsConnection connection(tlsring::fuzz::script_connection_info(), store, sink);
    const std::int64_t end = tlsring::fuzz::play_tls13_script({data, size}, connection);
    connection.on_close(tlsring::tcp::CloseReason::fin, end);
    tlsring::fuzz::fuzz_check(sink.sessions_ended() == 1, "the connection was not reported exactly once");
  }
  sink.verify_all_ended();
  return 0;
}
