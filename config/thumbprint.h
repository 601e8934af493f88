// Naming a certificate in the Windows certificate store: its SHA-1 thumbprint
// and the store it sits in, as a key entry's `thumbprint:` and
// `certificate_store:` give them (platform.h exports the key by them). Pure
// parsing, portable (tested on Linux).
//
// parse_thumbprint accepts the thumbprint as people copy it: from certlm.msc's
// Details tab ("‎a9 4f 2c ..." with the invisible U+200E LEFT-TO-RIGHT MARK
// the dialog puts in front), from PowerShell ("A94F2C..."), or with colons
// ("A9:4F:2C:...", as openssl prints fingerprints). Ignored anywhere: ASCII
// spaces and tabs, ':', U+200E, U+200F, U+202A..U+202E (direction marks),
// U+FEFF (BOM) and U+00A0 (no-break space). Hex digits in either case. Anything
// else, or other than 40 hex digits, is an error saying what was found.
//
// parse_certificate_store_name reads "LocalMachine\My" (also '/', any case;
// "My" alone means LocalMachine\My).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::config {

using Thumbprint = std::array<std::uint8_t, 20>;

Result<Thumbprint> parse_thumbprint(std::string_view text);

// 40 uppercase hex digits, no separators (as PowerShell's Cert: drive shows it).
std::string format_thumbprint(const Thumbprint& thumbprint);

struct CertificateStoreName {
  enum class Location { local_machine, current_user };
  Location location = Location::local_machine;
  std::string store = "My";  // "My" is what certlm.msc calls Personal

  bool operator==(const CertificateStoreName&) const = default;
};

Result<CertificateStoreName> parse_certificate_store_name(std::string_view text);

// "LocalMachine\My".
std::string format_certificate_store_name(const CertificateStoreName& name);

}  // namespace tlsring::config
