// Helpers for the TLS parser tests: hex to bytes, and the handshake messages
// carried by a TCP payload (records framed with parse_record, messages with
// frame_handshake, which have tests of their own).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/tls/handshake.h"
#include "core/tls/record.h"

namespace tlsring::tls::test {

using ByteVec = std::vector<std::uint8_t>;

inline ByteVec hex(std::string_view text) {
  auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    throw std::invalid_argument("bad hex digit");
  };
  ByteVec out;
  std::uint8_t high = 0;
  bool have_high = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == ':') continue;
    if (!have_high) {
      high = nibble(c);
      have_high = true;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | nibble(c)));
      have_high = false;
    }
  }
  if (have_high) throw std::invalid_argument("odd number of hex digits");
  return out;
}

inline ByteVec to_vec(ByteView view) { return ByteVec(view.begin(), view.end()); }

struct Message {
  std::uint8_t type = 0;
  ByteVec body;
};

// The plaintext handshake messages at the start of a TCP payload: handshake
// records are joined and framed; framing stops at the first ChangeCipherSpec
// (what follows is encrypted). Other record types are skipped.
inline std::vector<Message> handshake_messages(const ByteVec& payload) {
  ByteVec stream;
  ByteView rest(payload);
  while (!rest.empty()) {
    RecordParse record = parse_record(rest);
    if (record.status != ParseStatus::ok) throw std::runtime_error("payload is not whole TLS records");
    if (record.header.content_type == kChangeCipherSpec) break;
    if (record.header.content_type == kHandshake) stream.insert(stream.end(), record.fragment.begin(), record.fragment.end());
    rest = rest.subspan(record.consumed);
  }
  std::vector<Message> messages;
  ByteView handshake(stream);
  while (!handshake.empty()) {
    HandshakeFrame frame = frame_handshake(handshake);
    if (frame.status != ParseStatus::ok) throw std::runtime_error("handshake stream ends inside a message");
    messages.push_back(Message{frame.type, to_vec(frame.body)});
    handshake = handshake.subspan(frame.consumed);
  }
  return messages;
}

// The body of the one message of `type` in `payload`.
inline ByteVec message_body(std::string_view payload_hex, std::uint8_t type) {
  for (const Message& m : handshake_messages(hex(payload_hex))) {
    if (m.type == type) return m.body;
  }
  throw std::runtime_error("no handshake message of type " + std::to_string(type));
}

// Views returned by the parsers must point inside the input.
inline bool inside(ByteView view, ByteView input) {
  if (view.empty()) return true;
  return view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size();
}

}  // namespace tlsring::tls::test
