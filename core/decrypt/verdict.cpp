#include "core/decrypt/verdict.h"

namespace tlsring::decrypt {

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::decrypted: return "decrypted";
    case Verdict::partially_decrypted: return "partially_decrypted";
    case Verdict::no_key: return "no_key";
    case Verdict::key_mismatch: return "key_mismatch";
    case Verdict::not_rsa_key_exchange: return "not_rsa_key_exchange";
    case Verdict::handshake_not_captured: return "handshake_not_captured";
    case Verdict::resumed_session_unknown: return "resumed_session_unknown";
    case Verdict::unsupported_cipher: return "unsupported_cipher";
    case Verdict::handshake_incomplete: return "handshake_incomplete";
    case Verdict::not_tls: return "not_tls";
  }
  return "unknown";
}

}  // namespace tlsring::decrypt
