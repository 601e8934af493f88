#include <string>

#include "core/bytes/byte_reader.h"
#include "core/tls/handshake.h"

namespace tlsring::tls {

namespace {

Error fail(const char* what) { return make_error(std::string("Certificate: ") + what); }

}  // namespace

Result<std::vector<ByteView>> parse_certificate(ByteView body, bool tls13) {
  ByteReader reader(body);
  // RFC 8446 §4.4.2: TLS 1.3 prefixes the list with certificate_request_context.
  if (tls13 && !reader.length_prefixed(1)) return fail("certificate_request_context overruns the message");
  auto list = reader.length_prefixed(3);
  if (!list) return fail("certificate_list overruns the message");
  if (!reader.empty()) return fail("trailing bytes after certificate_list");

  std::vector<ByteView> chain;
  ByteReader entries(*list);
  while (!entries.empty()) {
    auto cert = entries.length_prefixed(3);
    if (!cert) return fail("certificate overruns certificate_list");
    // ASN.1Cert<1..2^24-1> (RFC 5246 §7.4.2), cert_data<1..2^24-1> (RFC 8446).
    if (cert->empty()) return fail("empty certificate in certificate_list");
    // TLS 1.3 entries carry their own extensions (OCSP, SCT), not needed here.
    if (tls13 && !entries.length_prefixed(2)) return fail("certificate entry extensions overrun certificate_list");
    chain.push_back(*cert);
  }
  return chain;
}

}  // namespace tlsring::tls
