// fuzz_tls_stream: the input is one TCP connection in the format of
// stream_script.h, fed straight into a decrypt::TlsConnection as the TCP
// tracker would: record framing, handshake parsing, the handshake state
// machine, key recovery and record decryption, without the capture layers in
// front (mutations land on TLS bytes, not on pcap headers).
#include "core/decrypt/tls_connection.h"
#include "tests/fuzz/checking_sink.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/stream_script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tlsring::fuzz::StreamScript script = tlsring::fuzz::read_stream_script({data, size});

  tlsring::decrypt::KeyStore store;
  tlsring::fuzz::fill_key_store(store);
  tlsring::fuzz::CheckingSink sink;
  {
    tlsring::decrypt::TlsConnection connection(script.info, store, sink, script.defer_resumption);
    const std::int64_t end = tlsring::fuzz::replay_ops(script, connection);
    // As the engine does: a connection still waiting for a resumed session is settled, else closed.
    if (connection.awaiting_session()) {
      connection.finish_deferred(end);
    } else {
      connection.on_close(script.close_reason, end);
    }
    const auto& report = connection.report();
    tlsring::fuzz::fuzz_check(sink.sessions_ended() <= 1, "more than one session end for one connection");
    if (sink.sessions_ended() == 1) {
      tlsring::fuzz::fuzz_check(report.verdict == tlsring::decrypt::Verdict::decrypted || !report.reason.empty(),
                                "a verdict other than decrypted without a reason");
    }
  }
  sink.verify_all_ended();
  return 0;
}
