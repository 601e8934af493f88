// What the record targets' scripts share (fuzz_tls12_records with
// tls12_script.h, fuzz_tls13_records with tls13_script.h): the framing of
// their ops, the bytes they build messages from, the TCP connection they play
// into, and the body of the targets themselves.
//
// A script, after its flag byte, is a run of ops: an op byte (bit 0 the
// direction, 0 client to server; bits 1-3 the action; the rest the action's
// own), a 2-byte big-endian length, then that many payload bytes, except for
// action 4 (a gap of `length` bytes), which has none.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/decrypt/tls_connection.h"
#include "core/keys/key_log.h"
#include "core/tcp/tcp_tracker.h"

namespace tlsring::fuzz {

// The script's clock: its first packet, and the time each op adds.
inline constexpr std::int64_t kScriptStartNs = 1700000000000000000;
inline constexpr std::int64_t kScriptStepNs = 1000000;

struct ScriptOp {
  int direction = 0;
  int action = 0;
  std::uint8_t op = 0;                         // the whole op byte
  std::span<const std::uint8_t> payload;       // as much of `length` as the script holds
  std::size_t length = 0;                      // as the op says
};

// Calls `run(const ScriptOp&)` for each op of `ops` (the script after its flag byte).
template <class Run>
void for_each_script_op(std::span<const std::uint8_t> ops, Run&& run) {
  while (!ops.empty()) {
    ScriptOp op;
    op.op = ops[0];
    ops = ops.subspan(1);
    if (ops.size() >= 2) {
      op.length = (std::size_t{ops[0]} << 8) | ops[1];
      ops = ops.subspan(2);
    } else {
      ops = {};
    }
    op.direction = op.op & 1;
    op.action = (op.op >> 1) & 7;
    op.payload = op.action == 4 ? std::span<const std::uint8_t>() : ops.first(std::min(op.length, ops.size()));
    ops = ops.subspan(op.payload.size());
    run(op);
  }
}

// Appends one op to a script being written.
void append_script_op(std::vector<std::uint8_t>& script, int direction, int action,
                      std::span<const std::uint8_t> payload, int high_bits = 0);

// Big-endian integers, hex and handshake framing for the messages the scripts build.
std::string script_hex(std::span<const std::uint8_t> bytes);
void put16(std::vector<std::uint8_t>& out, std::size_t value);
void put24(std::vector<std::uint8_t>& out, std::size_t value);
void put64(std::vector<std::uint8_t>& out, std::uint64_t value);
void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> handshake_message(std::uint8_t type, std::span<const std::uint8_t> body);

// The TCP connection the scripts play into: 192.0.2.1:51000 to 192.0.2.2:3000,
// its handshake seen, its first packet at kScriptStartNs.
tcp::ConnectionInfo script_connection_info();

// The harness's key-log text, parsed once per process by the caller; a text
// that does not parse stops the target.
keys::KeyLog parse_script_key_log(const std::string& text);

// A record target's body: `script` played by `play` into a TlsConnection whose
// key log is `key_log`, closed; the connection must be reported exactly once.
using ScriptPlayer = std::int64_t (*)(std::span<const std::uint8_t>, tcp::ConnectionHandler&);
void run_scripted_session(const keys::KeyLog& key_log, ScriptPlayer play, std::span<const std::uint8_t> script);

}  // namespace tlsring::fuzz
