#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/tls/handshake.h"
#include "tests/unit/tls/captured_bytes.h"
#include "tests/unit/tls/test_support.h"

using namespace tlsring::tls;
using namespace tlsring::tls::test;

namespace {

// The serial number of a DER certificate as OpenSSL reads it (upper-case hex),
// or "" when OpenSSL cannot parse the bytes as a certificate.
std::string serial_of(ByteView der) {
  const unsigned char* p = der.data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())), X509_free);
  if (!cert || p != der.data() + der.size()) return "";
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(X509_get_serialNumber(cert.get()), nullptr),
                                                 BN_free);
  if (!bn) return "";
  std::unique_ptr<char, void (*)(char*)> text(BN_bn2hex(bn.get()), [](char* s) { OPENSSL_free(s); });
  return text ? std::string(text.get()) : "";
}

}  // namespace

TEST_CASE("parse_certificate: real SSL 3.0 chain of one (rsasnakeoil2 frame 6)") {
  const ByteVec body = message_body(kRsaSnakeoil2Frame6ServerFlight, kCertificate);
  auto chain = parse_certificate(body, false);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 1);
  const ByteView der = (*chain)[0];
  CHECK(der.size() == 0x33a);
  CHECK(to_vec(der.first(4)) == ByteVec{0x30, 0x82, 0x03, 0x36});
  CHECK(inside(der, body));
  CHECK(serial_of(der) == "01");  // tshark: x509af.serialNumber 01 (www.snakeoil.dom)
}

TEST_CASE("parse_certificate: real TLS 1.0 chain of two (dmgr frame 6)") {
  const ByteVec body = message_body(kDmgrFrame6ServerFlight, kCertificate);
  auto chain = parse_certificate(body, false);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 2);
  // tshark: tls.handshake.certificate_length 1026,1071; serial numbers 0db2daebf1e7, 0db2b8284fcf.
  CHECK((*chain)[0].size() == 1026);
  CHECK((*chain)[1].size() == 1071);
  CHECK(to_vec((*chain)[0].first(2)) == ByteVec{0x30, 0x82});
  CHECK(serial_of((*chain)[0]) == "0DB2DAEBF1E7");
  CHECK(serial_of((*chain)[1]) == "0DB2B8284FCF");
}

TEST_CASE("parse_certificate: real TLS 1.2 ECDSA certificate (tls12-chacha20poly1305 frame 2)") {
  const ByteVec body = message_body(kChachaFrame2ServerFlight, kCertificate);
  auto chain = parse_certificate(body, false);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 1);
  CHECK((*chain)[0].size() == 0x1b4);
  CHECK(to_vec((*chain)[0].first(4)) == ByteVec{0x30, 0x82, 0x01, 0xb0});
  CHECK(serial_of((*chain)[0]) == "D2C6D38588184854");
}

TEST_CASE("parse_certificate: TLS 1.3 entries with context and extensions") {
  // RFC 8446 §4.4.2, built by hand: a 1-byte certificate_request_context, then two
  // CertificateEntry: cert_data<1..2^24-1>, extensions<0..2^16-1>.
  const ByteVec body = {
      0x01, 0x7a,                                // certificate_request_context = 7a
      0x00, 0x00, 0x17,                          // certificate_list, 23 bytes
      0x00, 0x00, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05,  // cert_data (5 bytes)
      0x00, 0x05, 0x00, 0x05, 0x00, 0x01, 0xff,        // extensions: status_request (5), 1 byte of data
      0x00, 0x00, 0x03, 0x30, 0x01, 0x00,              // cert_data (3 bytes)
      0x00, 0x00,                                      // no extensions
  };
  auto chain = parse_certificate(body, true);
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 2);
  CHECK(to_vec((*chain)[0]) == ByteVec{0x30, 0x03, 0x02, 0x01, 0x05});
  CHECK(to_vec((*chain)[1]) == ByteVec{0x30, 0x01, 0x00});
  // Read as TLS 1.2 the same bytes are malformed.
  CHECK_FALSE(parse_certificate(body, false).ok());
}

TEST_CASE("parse_certificate: empty chains and malformed lists") {
  // TLS 1.2 empty certificate_list (a client with no certificate).
  auto empty12 = parse_certificate(ByteVec{0x00, 0x00, 0x00}, false);
  REQUIRE(empty12.ok());
  CHECK(empty12->empty());
  // TLS 1.3: empty context, empty list.
  auto empty13 = parse_certificate(ByteVec{0x00, 0x00, 0x00, 0x00}, true);
  REQUIRE(empty13.ok());
  CHECK(empty13->empty());

  auto error_of = [](const ByteVec& body, bool tls13) {
    auto chain = parse_certificate(body, tls13);
    REQUIRE_FALSE(chain.ok());
    return chain.error().message;
  };
  CHECK(error_of({0x00, 0x00, 0x05, 0x00, 0x00, 0x02, 0x30}, false) == "Certificate: certificate_list overruns the message");
  CHECK(error_of({0x00, 0x00, 0x00, 0x00}, false) == "Certificate: trailing bytes after certificate_list");
  CHECK(error_of({0x00, 0x00, 0x04, 0x00, 0x00, 0x02, 0x30}, false) ==
        "Certificate: certificate overruns certificate_list");
  CHECK(error_of({0x00, 0x00, 0x03, 0x00, 0x00, 0x00}, false) == "Certificate: empty certificate in certificate_list");
  CHECK(error_of({0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0xaa, 0x00}, true) ==
        "Certificate: certificate entry extensions overrun certificate_list");
  CHECK(error_of({0x02, 0x00}, true) == "Certificate: certificate_request_context overruns the message");
}
