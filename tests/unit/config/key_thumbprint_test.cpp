// Key entries that name a certificate in the Windows certificate store
// (thumbprint:, certificate_store:) instead of a file: what is read, and the
// FILE:LINE:COL: KEY.PATH messages of every mistake (positions counted by
// hand in the YAML text). The thumbprint's bytes are written out by hand.
#include <catch2/catch.hpp>

#include <string>

#include "config/config_loader.h"

using tlsring::config::CertificateStoreName;
using tlsring::config::parse_config;
using tlsring::config::Thumbprint;

namespace {

constexpr Thumbprint kThumbprint = {0xA9, 0x4F, 0x2C, 0x01, 0x7E, 0xD3, 0x55, 0x90, 0x0B, 0xC8,
                                    0x61, 0x3A, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};

std::string error_of(const std::string& yaml) {
  const auto result = parse_config(yaml, "tlsring.yaml");
  if (result.ok()) FAIL("expected an error for:\n" << yaml);
  return result.error().message;
}

}  // namespace

TEST_CASE("config thumbprint: as certlm.msc copies it, the store defaulting to LocalMachine My") {
  // U+200E first, spaces between the bytes: what the Details tab puts on the clipboard.
  const auto config = parse_config("decrypt:\n"
                                   "  keys:\n"
                                   "    - server: 10.20.0.5:3000\n"
                                   "      thumbprint: \"\xE2\x80\x8E"
                                   "a9 4f 2c 01 7e d3 55 90 0b c8 61 3a ff 00 12 34 56 78 9a bc\"\n",
                                   "/etc/tlsring/tlsring.yaml");
  REQUIRE(config.ok());
  REQUIRE(config->decrypt.keys.size() == 1);
  const auto& key = config->decrypt.keys[0];
  CHECK(key.file.empty());
  REQUIRE(key.certificate_store_key);
  CHECK(key.certificate_store_key->thumbprint == kThumbprint);
  CHECK(key.certificate_store_key->store == CertificateStoreName{});
  CHECK(key.server == "10.20.0.5:3000");
  CHECK(key.where.line == 3);
  CHECK(key.describe() == "key A94F2C017ED355900BC8613AFF00123456789ABC in LocalMachine\\My");
}

TEST_CASE("config thumbprint: colons unquoted, another store") {
  const auto config = parse_config("decrypt:\n"
                                   "  keys:\n"
                                   "    - thumbprint: A9:4F:2C:01:7E:D3:55:90:0B:C8:61:3A:FF:00:12:34:56:78:9A:BC\n"
                                   "      certificate_store: 'CurrentUser\\WebHosting'\n",
                                   "tlsring.yaml");
  REQUIRE(config.ok());
  const auto& key = config->decrypt.keys.at(0);
  REQUIRE(key.certificate_store_key);
  CHECK(key.certificate_store_key->thumbprint == kThumbprint);
  CHECK(key.certificate_store_key->store ==
        CertificateStoreName{CertificateStoreName::Location::current_user, "WebHosting"});
  CHECK_FALSE(key.server);
}

TEST_CASE("config thumbprint: a file entry has no store key") {
  const auto config = parse_config("decrypt:\n  keys:\n    - file: /k/a.pem\n", "tlsring.yaml");
  REQUIRE(config.ok());
  CHECK_FALSE(config->decrypt.keys.at(0).certificate_store_key);
  CHECK(config->decrypt.keys.at(0).describe() == "key /k/a.pem");
}

TEST_CASE("config thumbprint: file and thumbprint together are refused") {
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - file: a.pfx\n"
                 "      thumbprint: A94F2C017ED355900BC8613AFF00123456789ABC\n") ==
        "tlsring.yaml:3:7: decrypt.keys[0]: both file and thumbprint are given; allowed: one of them (file: a key "
        "file, thumbprint: a certificate in the Windows certificate store)");
}

TEST_CASE("config thumbprint: a wrong number of digits says how many, at the value") {
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - thumbprint: A94F2C017ED355900BC8613AFF00123456789A\n") ==
        "tlsring.yaml:3:19: decrypt.keys[0].thumbprint: it has 38 hexadecimal digits, a certificate's SHA-1 "
        "thumbprint has 40: copy the Thumbprint field of the certificate (certlm.msc > Personal > Certificates > "
        "the certificate > Details) or the Thumbprint column of `Get-ChildItem Cert:\\LocalMachine\\My` (PowerShell)");
  CHECK_THAT(error_of("decrypt:\n  keys:\n    - thumbprint: \"" + std::string(64, 'a') + "\"\n"),
             Catch::StartsWith("tlsring.yaml:3:19: decrypt.keys[0].thumbprint: it has 64 hexadecimal digits") &&
                 Catch::Contains("SHA-256"));
  CHECK_THAT(error_of("decrypt:\n  keys:\n    - thumbprint: A9-4F\n"),
             Catch::StartsWith("tlsring.yaml:3:19: decrypt.keys[0].thumbprint: '-' at character 3 is not a "
                               "hexadecimal digit"));
}

TEST_CASE("config thumbprint: an empty or list value is refused") {
  CHECK_THAT(error_of("decrypt:\n  keys:\n    - thumbprint:\n      server: 10.0.0.1:3000\n"),
             Catch::StartsWith("tlsring.yaml:3:7: decrypt.keys[0].thumbprint: expected a thumbprint"));
  CHECK_THAT(error_of("decrypt:\n  keys:\n    - thumbprint: [A9, 4F]\n"),
             Catch::StartsWith("tlsring.yaml:3:19: decrypt.keys[0].thumbprint: expected a thumbprint"));
}

TEST_CASE("config thumbprint: a password with a store key is refused") {
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - thumbprint: A94F2C017ED355900BC8613AFF00123456789ABC\n"
                 "      password_file: /k/pass\n") ==
        "tlsring.yaml:3:7: decrypt.keys[0]: password_file with thumbprint; allowed: no password for a "
        "certificate-store key (tlsring exports the key from the store itself)");
}

TEST_CASE("config thumbprint: certificate_store alone, or a bad store name") {
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - file: a.pfx\n"
                 "      certificate_store: LocalMachine\\My\n") ==
        "tlsring.yaml:4:26: decrypt.keys[0].certificate_store: certificate_store without thumbprint; allowed: "
        "certificate_store only beside thumbprint: (which certificate of the store)");
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - thumbprint: A94F2C017ED355900BC8613AFF00123456789ABC\n"
                 "      certificate_store: Machine\\My\n") ==
        "tlsring.yaml:4:26: decrypt.keys[0].certificate_store: certificate store 'Machine\\My': the location "
        "'Machine' is neither LocalMachine nor CurrentUser (write e.g. LocalMachine\\My)");
}

TEST_CASE("config thumbprint: every problem of several entries is reported, in file order") {
  const std::string message = error_of("decrypt:\n"
                                       "  keys:\n"
                                       "    - thumbprint: XYZ\n"
                                       "    - server: 10.0.0.1:3000\n");
  CHECK_THAT(message, Catch::StartsWith("tlsring.yaml:3:19: decrypt.keys[0].thumbprint: 'X' at character 1"));
  CHECK_THAT(message, Catch::Contains("\ntlsring.yaml:4:7: decrypt.keys[1]: the key entry has no file and no "
                                      "thumbprint"));
}
