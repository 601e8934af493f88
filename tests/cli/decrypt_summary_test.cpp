// The summary's "keys used" line: decrypted connections by where their keys
// came from, most used first, ties in name order.
#include <catch2/catch.hpp>

#include "daemon/cli/decrypt_summary.h"

using tlsring::cli::format_keys_used;

TEST_CASE("decrypt summary: keys used, most used first") {
  CHECK(format_keys_used({}).empty());
  CHECK(format_keys_used({{"key log", 1}}) == "key log 1");
  CHECK(format_keys_used({{"RSA key b.pem", 2},
                          {"key log", 30},
                          {"RSA key a.pem", 2},
                          {"session cache (ticket)", 400}}) ==
        "session cache (ticket) 400, key log 30, RSA key a.pem 2, RSA key b.pem 2");
}
