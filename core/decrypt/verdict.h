// The verdict on one TCP connection: what was decrypted and, where something
// was not, why and what to do about it.
#pragma once

#include <cstdint>
#include <string_view>

namespace tlsring::decrypt {

enum class Verdict : std::uint8_t {
  decrypted,                // every record decrypted, the Finished messages verified
  partially_decrypted,      // keys verified, but packets were lost or records failed
  no_key,                   // RSA key exchange, but no key for this server and no key log entry
  key_mismatch,             // the key is not the certificate's, or Finished did not verify
  not_rsa_key_exchange,     // (EC)DHE, PSK or TLS 1.3 without a key log
  handshake_not_captured,   // the connection was open before the capture started, or a handshake message
                            // the keys depend on (a hello, the ClientKeyExchange) was lost
  resumed_session_unknown,  // an abbreviated handshake whose master secret is unknown
  unsupported_cipher,       // a suite whose cipher tlsring cannot decrypt
  handshake_incomplete,     // the handshake failed or was cut off: no application data flowed
  not_tls,                  // the bytes are not TLS
};

constexpr int kVerdictCount = 10;

// The fix of a verdict that packets lost at the capture point caused.
inline constexpr std::string_view kFixCaptureLoss =
    "reduce packet loss at the capture point: a larger capture buffer, a filter limited to the server port, or "
    "capture on the server host itself";

// The fix of a verdict that the capture's snap length caused (packets cut short).
inline constexpr std::string_view kFixSnapLength =
    "capture whole packets: tcpdump -s 0, or a snap length of at least 65535 (dumpcap, Wireshark and tlsring "
    "capture whole packets by default)";

std::string_view to_string(Verdict verdict);

}  // namespace tlsring::decrypt
