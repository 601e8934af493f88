// `tlsring decrypt` on bad input: exit status 2, a message that names the
// file (and line) and says what is wrong or what to do, nothing on stdout,
// and no output directory at all -- nothing partial passed off as complete.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <initializer_list>

#include "tests/cli/cli_env.h"
#include "tests/support/skip.h"

using namespace tlsring::clitest;

namespace {

// Runs `tlsring decrypt ARGS... -o DIR/out` and checks that it refused.
void expect_bad_input(const TempDir& dir, const std::vector<std::string>& args,
                      std::initializer_list<std::string> stderr_says, const ChildOptions& options = {}) {
  const fs::path out = dir / "out";
  std::vector<std::string> argv{"decrypt"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"-o", out.string()});
  const ChildResult r = run_tlsring(argv, options);
  INFO("tlsring " << describe(argv) << "\n--- stderr:\n" << r.err << "--- stdout:\n" << r.out);
  CHECK(r.exit_status == 2);
  for (const auto& text : stderr_says) CHECK_THAT(r.err, Catch::Contains(text));
  CHECK(r.out.empty());
  CHECK_FALSE(fs::exists(out));
}

}  // namespace

TEST_CASE("decrypt bad input: a capture that does not exist") {
  TempDir dir;
  const auto missing = (dir / "ring-0001.pcapng").string();
  expect_bad_input(dir, {missing}, {"cannot open " + missing, "No such file"});
}

TEST_CASE("decrypt bad input: a good capture followed by a missing one writes nothing") {
  TempDir dir;
  write_empty_pcap(dir / "first.pcap");
  const auto missing = (dir / "second.pcap").string();
  expect_bad_input(dir, {(dir / "first.pcap").string(), missing}, {missing, "No such file"});
}

TEST_CASE("decrypt bad input: an unreadable capture") {
  TempDir dir;
  // A directory given as a capture cannot be read by anyone, root included.
  fs::create_directory(dir / "captures");
  const auto directory = (dir / "captures").string();
  expect_bad_input(dir, {directory}, {directory, "directory"});

  // A capture file with mode 000.
  const auto locked = dir / "locked.pcap";
  write_empty_pcap(locked);
  REQUIRE(::chmod(locked.c_str(), 0) == 0);
  const int fd = ::open(locked.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::close(fd);
    WARN("sub-case 'chmod 000 capture' not run: this test runs as root (or with CAP_DAC_OVERRIDE), so mode 000 "
         "does not stop reading; the directory-as-capture case above covers an unreadable capture");
  } else {
    expect_bad_input(dir, {locked.string()}, {locked.string(), "Permission denied"});
  }
}

TEST_CASE("decrypt bad input: a text file given as a capture") {
  TempDir dir;
  write_file(dir / "notes.txt", "Connection to T-Server lost at 10:14\nretrying\n");
  const auto text = (dir / "notes.txt").string();
  expect_bad_input(dir, {text}, {text, "not a pcap or pcapng capture"});
}

TEST_CASE("decrypt bad input: an empty capture file") {
  TempDir dir;
  write_file(dir / "empty.pcap", "");
  const auto empty = (dir / "empty.pcap").string();
  expect_bad_input(dir, {empty}, {empty, "empty file", "not a pcap or pcapng"});
}

TEST_CASE("decrypt bad input: a capture given twice, by one name or by two") {
  TempDir dir;
  write_empty_pcap(dir / "ring-0001.pcap");
  write_empty_pcap(dir / "ring-0002.pcap");
  const auto first = (dir / "ring-0001.pcap").string();
  const auto second = (dir / "ring-0002.pcap").string();
  expect_bad_input(dir, {first, second, first},
                   {first + " is given twice, as capture files 1 and 3", "give each once, in capture order"});

  // Another path to the same file: a symbolic link.
  fs::create_symlink(dir / "ring-0002.pcap", dir / "latest.pcap");
  const auto link = (dir / "latest.pcap").string();
  expect_bad_input(dir, {first, second, link},
                   {link + " is given twice (the same file as " + second + "), as capture files 2 and 3"});
}

TEST_CASE("decrypt bad input: a key file that does not exist") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto key = (dir / "tserver.pem").string();
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--key", "10.0.0.1:3000=" + key}, {"cannot open " + key});
}

TEST_CASE("decrypt bad input: a .pfx with a wrong password") {
  const auto fixtures = require_wireshark_fixtures("decrypt bad input: a .pfx with a wrong password");
  TempDir dir;
  write_file(dir / "wrong.pass", "WebAs\n");  // the right one is WebAS
  const auto p12 = (fixtures / "keys/key.p12").string();
  expect_bad_input(dir,
                   {(fixtures / "captures/dmgr.pcapng").string(), "--key",
                    "127.0.0.1:9131=" + p12 + ",password-file=" + (dir / "wrong.pass").string()},
                   {p12, "wrong password", "password-file="});
}

TEST_CASE("decrypt bad input: a .pfx without any password") {
  const auto fixtures = require_wireshark_fixtures("decrypt bad input: a .pfx without any password");
  TempDir dir;
  const auto p12 = (fixtures / "keys/key.p12").string();
  expect_bad_input(dir, {(fixtures / "captures/dmgr.pcapng").string(), "--key", p12},
                   {p12, "needs a password", "password-file=", "password-env="});
}

TEST_CASE("decrypt bad input: password-env naming an unset variable") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto key = (dir / "tserver.pfx").string();
  ChildOptions unset;
  unset.env.emplace_back("TLSRING_TEST_UNSET_PASSWORD", std::nullopt);
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--key", key + ",password-env=TLSRING_TEST_UNSET_PASSWORD"},
                   {"TLSRING_TEST_UNSET_PASSWORD", key, "not set"}, unset);
}

TEST_CASE("decrypt bad input: a password file that does not exist") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto key = (dir / "tserver.pfx").string();
  const auto pass = (dir / "tserver.pass").string();
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--key", key + ",password-file=" + pass},
                   {"cannot read password file " + pass, key});
}

TEST_CASE("decrypt bad input: a certificate instead of a private key") {
  TempDir dir;
  const Generated gen = generate(dir / "gen", {"--sessions", "1", "--quiet"});
  const auto cert = (gen.dir / "server.cert.pem").string();
  REQUIRE_THAT(read_file(cert), Catch::Contains("-----BEGIN CERTIFICATE-----"));
  expect_bad_input(dir, {gen.capture.string(), "--key", cert}, {cert, "holds no private key", "export the key"});
}

TEST_CASE("decrypt bad input: an EC private key") {
  TempDir dir;
  const auto key = (dir / "ec.pem").string();
  const ChildResult made =
      run_child({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key});
  if (made.exit_status == 127) {
    tlsring::testing::skip_test("decrypt bad input: an EC private key", "the openssl command is not installed");
  }
  INFO(made.err);
  REQUIRE(made.exit_status == 0);
  write_empty_pcap(dir / "c.pcap");
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--key", "10.0.0.1:443=" + key},
                   {key, "EC private key", "only RSA keys", "key-log file"});
}

TEST_CASE("decrypt bad input: a key-log file with a bad line names FILE:LINE") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto keylog = (dir / "client-keys.log").string();
  write_file(keylog, "# SSL/TLS secrets log file\n\nCLIENT_RANDOM zz 00\n");
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--keylog", keylog},
                   {keylog + ":3:", "CLIENT_RANDOM", "hex"});
}

TEST_CASE("decrypt bad input: a key-log file that does not exist") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto keylog = (dir / "client-keys.log").string();
  expect_bad_input(dir, {(dir / "c.pcap").string(), "--keylog", keylog}, {"cannot open " + keylog});
}

TEST_CASE("decrypt bad input: command-line errors print the usage") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto capture = (dir / "c.pcap").string();
  SECTION("an unknown option") {
    expect_bad_input(dir, {capture, "--keys", "k.pem"}, {"unknown option --keys", "usage: tlsring decrypt"});
  }
  SECTION("no capture") { expect_bad_input(dir, {}, {"no capture file given", "usage: tlsring decrypt"}); }
  SECTION("--key without its value (last on the line)") {
    const auto out = dir / "out";
    const ChildResult r = run_tlsring({"decrypt", capture, "-o", out.string(), "--key"});
    INFO(r.err);
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.err, Catch::Contains("--key needs a value"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("--key with a bad IP") {
    expect_bad_input(dir, {capture, "--key", "10.0.0.300:3000=k.pem"},
                     {"--key 10.0.0.300:3000=k.pem", "'10.0.0.300' is not an IPv4 or IPv6 address"});
  }
  SECTION("--key with port 70000") {
    expect_bad_input(dir, {capture, "--key", "10.0.0.1:70000=k.pem"},
                     {"--key 10.0.0.1:70000=k.pem", "'70000' is not a port number (1-65535)"});
  }
  SECTION("--key with IPv6 not in brackets") {
    expect_bad_input(dir, {capture, "--key", "2001:db8::1:3000=k.pem"}, {"[ADDRESS]:PORT"});
  }
  SECTION("--key with an unknown option") {
    expect_bad_input(dir, {capture, "--key", "k.pem,password-fil=x"},
                     {"--key k.pem,password-fil=x", "unknown option 'password-fil=x'", "password-file=FILE"});
  }
}

TEST_CASE("decrypt bad input: no output directory (-o)") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  ChildOptions in_dir;
  in_dir.cwd = dir.path().string();
  const ChildResult r = run_tlsring({"decrypt", "c.pcap"}, in_dir);
  INFO(r.err);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.err, Catch::Contains("no output directory given (-o DIR)"));
  CHECK(r.out.empty());
  // Nothing was written next to the capture.
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir.path())) entries.push_back(e.path().filename().string());
  CHECK(entries == std::vector<std::string>{"c.pcap"});
}

TEST_CASE("decrypt bad input: --key with a misspelt option says unknown option") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  const auto capture = (dir / "c.pcap").string();
  expect_bad_input(dir, {capture, "--key", "k.pem,pasword-file=x"}, {"k.pem,pasword-file=x", "unknown option"});
  expect_bad_input(dir, {capture, "--key", "10.0.0.1:443=k.pem,pasword-file=x"},
                   {"10.0.0.1:443=k.pem,pasword-file=x", "unknown option"});
}

TEST_CASE("tlsring: an unknown verb, and no verb") {
  const ChildResult unknown = run_tlsring({"decypt", "x.pcap"});
  INFO(unknown.err);
  CHECK(unknown.exit_status == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown verb 'decypt'") && Catch::Contains("usage: tlsring VERB"));
  const ChildResult none = run_tlsring({});
  CHECK(none.exit_status == 2);
  CHECK_THAT(none.out + none.err, Catch::Contains("usage: tlsring VERB"));
}
