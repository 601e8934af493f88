// Connections the scenario generator cannot make, run with its pieces
// (TlsContextPair, TLS over memory BIOs, build_tcp_flow, FrameBuilder) and
// written to a capture file of their own:
//  - DHE suites: the generator's server has no DH parameters; here the server
//    context gets SSL_CTX_set_dh_auto;
//  - TLS 1.3 KeyUpdate (SSL_key_update) by either side between messages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/gen/frame_builder.h"
#include "tests/gen/tls_connection.h"

namespace tlsring::e2e {

// One step of a connection after its handshake.
struct Step {
  enum class Kind { message, key_update } kind = Kind::message;
  testgen::Direction direction = testgen::Direction::client_to_server;  // message
  std::vector<std::uint8_t> data;                                       // message
  testgen::Side side = testgen::Side::client;                           // key_update
  bool update_requested = false;                                        // key_update: ask the peer to update too
};

struct KeyUpdateCounts {
  int sent_by_client = 0;  // KeyUpdate handshake messages, as OpenSSL's message callback saw them
  int sent_by_server = 0;
};

// Handshake, `steps`, close_notify both ways. REQUIREs that it works and that
// each side received exactly what the other sent.
testgen::TlsConnectionResult run_steps(const testgen::TlsContextPair& contexts, const std::vector<Step>& steps,
                                       KeyUpdateCounts* counts = nullptr);

struct WrittenConnection {
  testgen::TcpEndpoint client;
  testgen::TcpEndpoint server;
};

// Writes the connections, one after the other, between 10.2.0.10:50000+i and
// 10.1.0.1:3000 as Ethernet frames into a pcapng file.
std::vector<WrittenConnection> write_capture(const std::filesystem::path& path,
                                             const std::vector<const testgen::TlsConnectionResult*>& connections);

}  // namespace tlsring::e2e
