// Test support: one OpenSSL (libssl) client and one server in this process,
// joined by memory BIOs. run_connection() makes them handshake with the
// requested version and suite, exchange known application bytes, and returns
// every byte each side sent (in order) plus libssl's key log. The record
// layer and key schedule under test then decrypt those bytes independently.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pcap_streams.h"

namespace tlsring::crypto::test {

struct ConnectionOptions {
  int version = 0;                 // TLS1_VERSION .. TLS1_3_VERSION
  std::string cipher;              // OpenSSL cipher name (TLS <= 1.2) or TLS 1.3 suite name
  bool encrypt_then_mac = true;    // offer RFC 7366 (off: SSL_OP_NO_ENCRYPT_THEN_MAC)
  bool extended_master_secret = true;  // offer RFC 7627 (off: SSL_OP_NO_EXTENDED_MASTER_SECRET)
  bool psk = false;                // install PSK callbacks (TLS <= 1.2 PSK suites)
  bool key_update = false;         // TLS 1.3: KeyUpdate in both directions mid-connection
};

struct ConnectionTrace {
  std::string error;               // empty on success
  std::vector<TcpChunk> chunks;    // bytes as sent, in order
  std::string keylog;              // NSS key log lines from libssl
  std::vector<std::uint8_t> client_sent;  // application data written by the client
  std::vector<std::uint8_t> server_sent;
  std::uint16_t version = 0;       // negotiated
  std::uint16_t cipher_id = 0;
  bool extended_master_secret = false;
};

// The PSK both sides use when ConnectionOptions::psk is set.
const std::vector<std::uint8_t>& test_psk();
// The server's RSA key (for decrypting RSA pre-master secrets). Owned by the harness.
EVP_PKEY* test_rsa_key();

ConnectionTrace run_connection(const ConnectionOptions& options);

}  // namespace tlsring::crypto::test
