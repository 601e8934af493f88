// The --key argument parser (daemon/cli/key_spec.h) and the password reader.
//
// Decided and documented here (the grammar is [IP:PORT=]FILE[,password-file=F|,password-env=V]):
// - The FIRST '=' ends IP:PORT. So a bound key's FILE may contain '='
//   ("10.0.0.1:443=/keys/a=b.pem" is the file "/keys/a=b.pem"), but an unbound
//   FILE may not: "/keys/a=b.pem" is refused as a bad IP:PORT, never silently
//   read as some other file. Bind such a key, or rename it.
// - Options start at the first ',' followed by NAME= (letters and dashes); any
//   other ',' belongs to the file name.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "daemon/cli/key_spec.h"
#include "tests/cli/cli_env.h"

using tlsring::cli::parse_endpoint;
using tlsring::cli::parse_key_spec;
using tlsring::cli::read_key_password;
using tlsring::clitest::TempDir;
using tlsring::clitest::write_file;

namespace {

tlsring::net::Endpoint v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
  tlsring::net::Endpoint e;
  e.ip.version = 4;
  e.ip.bytes[0] = a;
  e.ip.bytes[1] = b;
  e.ip.bytes[2] = c;
  e.ip.bytes[3] = d;
  e.port = port;
  return e;
}

tlsring::net::Endpoint v6(std::array<std::uint8_t, 16> bytes, std::uint16_t port) {
  tlsring::net::Endpoint e;
  e.ip.version = 6;
  e.ip.bytes = bytes;
  e.port = port;
  return e;
}

// 2001:db8::1, written out by hand.
constexpr std::array<std::uint8_t, 16> k2001db8_1 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

}  // namespace

TEST_CASE("key_spec: an IPv4-bound key") {
  const auto spec = parse_key_spec("10.1.2.3:3000=/etc/tlsring/keys/tserver.pfx");
  REQUIRE(spec.ok());
  REQUIRE(spec->server.has_value());
  CHECK(*spec->server == v4(10, 1, 2, 3, 3000));
  CHECK(spec->file == "/etc/tlsring/keys/tserver.pfx");
  CHECK_FALSE(spec->password_file.has_value());
  CHECK_FALSE(spec->password_env.has_value());
}

TEST_CASE("key_spec: an [IPv6]:port-bound key") {
  const auto spec = parse_key_spec("[2001:db8::1]:443=k.pem");
  REQUIRE(spec.ok());
  REQUIRE(spec->server.has_value());
  CHECK(*spec->server == v6(k2001db8_1, 443));
  CHECK(spec->file == "k.pem");

  // An IPv4-mapped address is an IPv6 address: ::ffff:10.0.0.1.
  const auto mapped = parse_key_spec("[::ffff:10.0.0.1]:1=k.pem");
  REQUIRE(mapped.ok());
  CHECK(*mapped->server == v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}, 1));
}

TEST_CASE("key_spec: an unbound key, with and without options") {
  const auto plain = parse_key_spec("/etc/tlsring/keys/other-server.pem");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->server.has_value());
  CHECK(plain->file == "/etc/tlsring/keys/other-server.pem");

  const auto with_file = parse_key_spec("t.pfx,password-file=/run/t.pass");
  REQUIRE(with_file.ok());
  CHECK_FALSE(with_file->server.has_value());
  CHECK(with_file->file == "t.pfx");
  CHECK(with_file->password_file == std::optional<std::string>("/run/t.pass"));
  CHECK_FALSE(with_file->password_env.has_value());

  const auto with_env = parse_key_spec("t.pfx,password-env=TSERVER_PFX_PASSWORD");
  REQUIRE(with_env.ok());
  CHECK(with_env->file == "t.pfx");
  CHECK(with_env->password_env == std::optional<std::string>("TSERVER_PFX_PASSWORD"));
  CHECK_FALSE(with_env->password_file.has_value());
}

TEST_CASE("key_spec: a bound key with a password option") {
  const auto spec = parse_key_spec("10.1.2.3:3000=/k/tserver.pfx,password-file=/k/tserver.pass");
  REQUIRE(spec.ok());
  CHECK(*spec->server == v4(10, 1, 2, 3, 3000));
  CHECK(spec->file == "/k/tserver.pfx");
  CHECK(spec->password_file == std::optional<std::string>("/k/tserver.pass"));

  const auto v6_env = parse_key_spec("[2001:db8::1]:3000=k.p12,password-env=P");
  REQUIRE(v6_env.ok());
  CHECK(*v6_env->server == v6(k2001db8_1, 3000));
  CHECK(v6_env->file == "k.p12");
  CHECK(v6_env->password_env == std::optional<std::string>("P"));
}

TEST_CASE("key_spec: '=' and ',' inside file names (the documented rule)") {
  // Bound: everything after the first '=' is the file.
  const auto bound = parse_key_spec("10.0.0.1:443=/keys/a=b.pem");
  REQUIRE(bound.ok());
  CHECK(*bound->server == v4(10, 0, 0, 1, 443));
  CHECK(bound->file == "/keys/a=b.pem");
  // Unbound with '=': refused, and the message says what it tried to read as IP:PORT.
  const auto unbound = parse_key_spec("/keys/a=b.pem");
  REQUIRE_FALSE(unbound.ok());
  CHECK_THAT(unbound.error().message, Catch::Contains("/keys/a") && Catch::Contains("IP:PORT"));
  // A comma not followed by "password-" is part of the file name.
  const auto comma = parse_key_spec("/keys/server,old.pem");
  REQUIRE(comma.ok());
  CHECK(comma->file == "/keys/server,old.pem");
}

TEST_CASE("key_spec: malformed specs are refused with a message naming the spec") {
  struct Case {
    const char* spec;
    const char* says;
  };
  const Case cases[] = {
      {"10.0.0.300:443=k.pem", "'10.0.0.300' is not an IPv4 or IPv6 address"},
      {"host.example:443=k.pem", "'host.example' is not an IPv4 or IPv6 address"},
      {"10.0.0.1:70000=k.pem", "'70000' is not a port number"},
      {"10.0.0.1:65536=k.pem", "'65536' is not a port number"},
      {"10.0.0.1:0=k.pem", "'0' is not a port number"},
      {"10.0.0.1:44a=k.pem", "'44a' is not a port number"},
      {"10.0.0.1:=k.pem", "is not a port number"},
      {"10.0.0.1=k.pem", "is not IP:PORT"},
      {"2001:db8::1:443=k.pem", "[ADDRESS]:PORT"},
      {"[2001:db8::1]443=k.pem", "[ADDRESS]:PORT"},
      {"[2001:db8::1:443=k.pem", "[ADDRESS]:PORT"},
      {"10.0.0.1:443=", "no key file given"},
      {"", "no key file given"},
      {"k.pem,password-file=a,password-env=B", "not both"},
      {"k.pem,password-fil=x", "unknown option 'password-fil=x'"},
  };
  for (const auto& c : cases) {
    INFO("--key " << c.spec);
    const auto spec = parse_key_spec(c.spec);
    REQUIRE_FALSE(spec.ok());
    CHECK_THAT(spec.error().message, Catch::Contains(c.says));
    if (*c.spec != '\0') CHECK_THAT(spec.error().message, Catch::Contains(c.spec));
  }
}

TEST_CASE("key_spec: a misspelt option is reported as an unknown option") {
  for (const char* text : {"k.pem,pasword-file=x", "10.0.0.1:443=k.pem,pasword-file=x", "k.pem,passwd-env=V"}) {
    INFO("--key " << text);
    const auto spec = parse_key_spec(text);
    CHECK_FALSE(spec.ok());
    if (!spec.ok()) CHECK_THAT(spec.error().message, Catch::Contains("unknown option"));
  }
}

TEST_CASE("parse_endpoint: the edges of the port and address ranges") {
  CHECK(parse_endpoint("255.255.255.255:65535").ok());
  CHECK(*parse_endpoint("255.255.255.255:65535") == v4(255, 255, 255, 255, 65535));
  CHECK(*parse_endpoint("0.0.0.0:1") == v4(0, 0, 0, 0, 1));
  CHECK(*parse_endpoint("[::1]:3000") == v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 3000));
  CHECK(*parse_endpoint("10.0.0.1:03000") == v4(10, 0, 0, 1, 3000));
  for (const char* bad : {"", ":", "10.0.0.1", "10.0.0.1:", "10.0.0.1:-1", "10.0.0.1: 80", "10.0.0.1:99999999999999999999",
                          "1.2.3:80", "[::1]", "[::1]:", "[10.0.0.1]:80x", "[]:80", "::1:80"}) {
    INFO("endpoint '" << bad << "'");
    CHECK_FALSE(parse_endpoint(bad).ok());
  }
}

TEST_CASE("read_key_password: the first line of a password file") {
  TempDir dir;
  struct Case {
    const char* content;
    const char* password;
  };
  const Case cases[] = {
      {"WebAS\n", "WebAS"},
      {"WebAS", "WebAS"},              // no final newline
      {"WebAS\r\n", "WebAS"},          // written on Windows
      {"WebAS\nsecond line\n", "WebAS"},
      {" pass word \n", " pass word "},  // spaces are part of the password
      {"\n", ""},
      {"", ""},
  };
  int n = 0;
  for (const auto& c : cases) {
    const auto file = dir / ("p" + std::to_string(n++));
    write_file(file, c.content);
    tlsring::cli::KeySpec spec;
    spec.file = "key.p12";
    spec.password_file = file.string();
    INFO("password file content: '" << c.content << "'");
    const auto password = read_key_password(spec);
    REQUIRE(password.ok());
    REQUIRE(password->has_value());
    CHECK(**password == c.password);
  }
}

TEST_CASE("read_key_password: environment variable, nothing given, and the errors") {
  tlsring::cli::KeySpec spec;
  spec.file = "/k/key.p12";
  const auto none = read_key_password(spec);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  spec.password_env = "TLSRING_TEST_KEY_SPEC_PASSWORD";
  ::setenv("TLSRING_TEST_KEY_SPEC_PASSWORD", "s3cr=t, x", 1);
  const auto from_env = read_key_password(spec);
  ::unsetenv("TLSRING_TEST_KEY_SPEC_PASSWORD");
  REQUIRE(from_env.ok());
  CHECK(*from_env == std::optional<std::string>("s3cr=t, x"));

  const auto unset = read_key_password(spec);
  REQUIRE_FALSE(unset.ok());
  CHECK_THAT(unset.error().message, Catch::Contains("TLSRING_TEST_KEY_SPEC_PASSWORD") &&
                                        Catch::Contains("/k/key.p12") && Catch::Contains("not set"));

  TempDir dir;
  tlsring::cli::KeySpec from_file;
  from_file.file = "/k/key.p12";
  from_file.password_file = (dir / "missing.pass").string();
  const auto missing = read_key_password(from_file);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::Contains((dir / "missing.pass").string()) && Catch::Contains("/k/key.p12"));
}
