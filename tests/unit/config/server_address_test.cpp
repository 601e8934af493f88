// check_server_address: the `server:` of a key entry.
#include <catch2/catch.hpp>

#include "config/server_address.h"

using tlsring::config::check_server_address;

TEST_CASE("server address: accepted forms") {
  for (const char* text : {"10.0.0.5:3000", "127.0.0.1:1", "255.255.255.255:65535", "[2001:db8::5]:3000",
                           "[::1]:443", "[::ffff:10.0.0.5]:3000"}) {
    INFO(text);
    CHECK(check_server_address(text).ok());
  }
}

TEST_CASE("server address: refused forms") {
  struct Case {
    const char* text;
    const char* what;
  };
  const Case cases[] = {
      {"10.0.0.5", "'10.0.0.5' has no port"},
      {"10.0.0.5:", "'10.0.0.5:' has no port"},
      {"10.0.0.5:0", "has a port outside 1-65535"},
      {"10.0.0.5:65536", "has a port outside 1-65535"},
      {"10.0.0.5:99999999999999999999", "has a port outside 1-65535"},
      {"10.0.0.5:30a", "has a port that is not a number"},
      {"10.0.0.5:-1", "has a port that is not a number"},
      {"tserver.example.com:3000", "does not start with an IPv4 address"},
      {"10.5:3000", "does not start with an IPv4 address"},
      {"10.0.0.256:3000", "does not start with an IPv4 address"},
      {"2001:db8::5:3000", "looks like IPv6 without brackets"},
      {"[2001:db8::5]3000", "has no port"},
      {"[2001:db8::5:3000", "has no closing ']'"},
      {"[10.0.0.5]:3000", "does not hold an IPv6 address"},
      {"", "has no port"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const auto status = check_server_address(c.text);
    REQUIRE_FALSE(status.ok());
    CHECK_THAT(status.error().message, Catch::StartsWith("'" + std::string(c.text) + "' ") &&
                                           Catch::Contains(c.what) && Catch::Contains("; allowed: IPv4 as A.B.C.D:PORT"));
  }
}
