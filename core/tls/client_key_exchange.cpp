#include <string>

#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

Result<ByteView> parse_rsa_client_key_exchange(ByteView body, bool ssl3) {
  if (body.empty()) return make_error("ClientKeyExchange: empty encrypted premaster secret");
  // SSL 3.0 (RFC 6101 §5.6.7.1) sends the RSA ciphertext bare; TLS 1.0+
  // (RFC 5246 §7.4.7.1) sends EncryptedPreMasterSecret as opaque<0..2^16-1>.
  if (ssl3) return body;
  ByteReader reader(body);
  auto premaster = reader.length_prefixed(2);
  if (!premaster) return make_error("ClientKeyExchange: encrypted premaster secret overruns the message");
  if (!reader.empty()) return make_error("ClientKeyExchange: trailing bytes after the encrypted premaster secret");
  if (premaster->empty()) return make_error("ClientKeyExchange: empty encrypted premaster secret");
  return *premaster;
}

}  // namespace tlsring::tls
