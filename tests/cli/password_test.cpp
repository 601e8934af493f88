// A password-protected PKCS#12 (Wireshark's key.p12, RC2/3DES, password
// WebAS) given through password-file and through password-env.
#include <catch2/catch.hpp>

#include "tests/cli/cli_env.h"

using namespace tlsring::clitest;

namespace {

void decrypt_dmgr(const fs::path& fixtures, const std::string& key_spec, const ChildOptions& options,
                  const fs::path& out) {
  const std::vector<std::string> args{"decrypt", (fixtures / "captures/dmgr.pcapng").string(), "--key", key_spec,
                                      "-o", out.string()};
  const ChildResult r = run_tlsring(args, options);
  INFO("tlsring " << describe(args) << "\n--- stderr:\n" << r.err << "--- stdout:\n" << r.out);
  REQUIRE(r.exit_status == 0);
  CHECK_THAT(r.out, Catch::Contains("1 connection(s)") && Catch::Contains("decrypted: 1 "));
  // The password never appears in what tlsring prints or writes.
  CHECK_THAT(r.out + r.err, !Catch::Contains("WebAS"));
  CHECK_THAT(read_file(out / "summary.txt") + read_file(out / "sessions.jsonl"), !Catch::Contains("WebAS"));

  const fs::path expected = fixtures / "captures/dmgr.expected";
  const auto sessions = read_sessions(out);
  REQUIRE(sessions.size() == 1);
  const auto& s = sessions[0];
  CHECK(field(s, "client") == "127.0.0.1:44884");  // stream-0.records.tsv header
  CHECK(field(s, "server") == "127.0.0.1:9131");
  CHECK(field(s, "verdict") == "decrypted");
  CHECK(field(s, "version") == "TLS 1.0");
  CHECK(field(s, "cipher") == "TLS_RSA_WITH_AES_128_CBC_SHA");
  CHECK(read_file(out / field(s, "files.c2s")) == read_file(expected / "stream-0.c2s.bin"));
  CHECK(read_file(out / field(s, "files.s2c")) == read_file(expected / "stream-0.s2c.bin"));
  CHECK(lines_starting_with(out / "keys.log", "CLIENT_RANDOM ") ==
        lines_starting_with(expected / "session-keys.txt", "CLIENT_RANDOM "));
}

}  // namespace

TEST_CASE("decrypt password: a .p12 password from password-file") {
  const auto fixtures = require_wireshark_fixtures("decrypt password: a .p12 password from password-file");
  TempDir dir;
  write_file(dir / "dmgr.pass", "WebAS\n");
  decrypt_dmgr(fixtures,
               "127.0.0.1:9131=" + (fixtures / "keys/key.p12").string() + ",password-file=" +
                   (dir / "dmgr.pass").string(),
               {}, dir / "out");
}

TEST_CASE("decrypt password: a .p12 password from password-env, unbound key") {
  const auto fixtures = require_wireshark_fixtures("decrypt password: a .p12 password from password-env");
  TempDir dir;
  ChildOptions options;
  options.env.emplace_back("TLSRING_TEST_DMGR_PASSWORD", "WebAS");
  decrypt_dmgr(fixtures, (fixtures / "keys/key.p12").string() + ",password-env=TLSRING_TEST_DMGR_PASSWORD", options,
               dir / "out");
}
