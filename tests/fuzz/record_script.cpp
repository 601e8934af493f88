#include "tests/fuzz/record_script.h"

#include "tests/fuzz/checking_sink.h"
#include "tests/fuzz/fuzz_target.h"

namespace tlsring::fuzz {

void append_script_op(std::vector<std::uint8_t>& script, int direction, int action,
                      std::span<const std::uint8_t> payload, int high_bits) {
  script.push_back(static_cast<std::uint8_t>(direction | (action << 1) | high_bits));
  put16(script, payload.size());
  append(script, payload);
}

std::string script_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void put16(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void put24(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 16));
  put16(out, value & 0xffff);
}

void put64(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

std::vector<std::uint8_t> handshake_message(std::uint8_t type, std::span<const std::uint8_t> body) {
  std::vector<std::uint8_t> message{type};
  put24(message, body.size());
  append(message, body);
  return message;
}

tcp::ConnectionInfo script_connection_info() {
  tcp::ConnectionInfo info;
  info.syn_seen = true;
  info.syn_ack_seen = true;
  for (int i = 0; i < 2; ++i) {
    info.endpoint[i].ip.version = 4;
    info.endpoint[i].ip.bytes = {192, 0, 2, static_cast<std::uint8_t>(1 + i)};
  }
  info.endpoint[0].port = 51000;
  info.endpoint[1].port = 3000;
  info.first_seen_ns = kScriptStartNs;
  info.first_packet = 1;
  return info;
}

keys::KeyLog parse_script_key_log(const std::string& text) {
  keys::KeyLog log;
  fuzz_check(log.add_text(text, "harness").ok(), "the harness key log does not parse");
  return log;
}

void run_scripted_session(const keys::KeyLog& key_log, ScriptPlayer play, std::span<const std::uint8_t> script) {
  decrypt::KeyStore store;
  store.key_log() = key_log;
  CheckingSink sink;
  {
    decrypt::TlsConnection connection(script_connection_info(), store, sink);
    const std::int64_t end = play(script, connection);
    connection.on_close(tcp::CloseReason::fin, end);
    fuzz_check(sink.sessions_ended() == 1, "the connection was not reported exactly once");
  }
  sink.verify_all_ended();
}

}  // namespace tlsring::fuzz
