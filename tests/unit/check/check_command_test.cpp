// `tlsring check` run in-process on configs written into temporary directories,
// with keys and captures made by the traffic generator (real OpenSSL TLS).
// Expected values come from the generator (server address, negotiated suite),
// from OpenSSL (key ids) and libpcap (filter messages), not from the checker.
#include <catch2/catch.hpp>

#include <net/if.h>
#include <sys/mount.h>
#include <unistd.h>
#include <pcap/pcap.h>

#include <cstdlib>

#include "tests/gen/credentials.h"
#include "tests/support/skip.h"
#include "tests/unit/check/check_test_support.h"

namespace tlsring::check_test {
namespace {

using testing::TempDir;
constexpr fs::perms kMode600 = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kMode640 = kMode600 | fs::perms::group_read;
constexpr fs::perms kMode644 = kMode640 | fs::perms::others_read;

testgen::ServerCredentials shared_credentials() {
  auto credentials = testgen::ServerCredentials::shared();
  REQUIRE(credentials.ok());
  return std::move(credentials.value());
}

fs::path write_config(const TempDir& dir, const ConfigParts& parts) {
  const fs::path file = dir.path() / "tlsring.yaml";
  write_file(file, config_text(parts), kMode640);
  return file;
}

// One changed part of the default test config.
ConfigParts with_keys(std::string keys) { ConfigParts p; p.keys = std::move(keys); return p; }
ConfigParts with_interfaces(std::string v) { ConfigParts p; p.interfaces = std::move(v); return p; }
ConfigParts with_filter(std::string v) { ConfigParts p; p.filter = std::move(v); return p; }
ConfigParts with_keylogs(std::string v) { ConfigParts p; p.keylogs = std::move(v); return p; }
ConfigParts with_output(std::string v) { ConfigParts p; p.output = std::move(v); return p; }
ConfigParts with_min_free_space(std::string v) { ConfigParts p; p.min_free_space = std::move(v); return p; }

std::string bound_key(const std::string& server, const std::string& file, const std::string& extra = "") {
  return "    - server: " + server + "\n      file: " + file + "\n" + extra;
}

}  // namespace

TEST_CASE("check: a good config with the server's key passes, and the capture decrypts with it") {
  TempDir dir;
  const auto scenario = make_capture(dir.path() / "cap", "AES128-GCM-SHA256", 2);
  const std::string server = server_of(scenario);
  const fs::path config = write_config(dir, with_keys(bound_key(server, "cap/server.key.pem")));

  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(lines_with(run.out, "FAIL", "").empty());
  CHECK(lines_with(run.out, "ok", "config " + config.string() + ": loads").size() == 1);
  CHECK(lines_with(run.out, "ok", "interface any: exists").size() == 1);
  CHECK(lines_with(run.out, "ok", "filter \"tcp port 3000\": compiles").size() == 1);
  CHECK(lines_with(run.out, "ok", "output directory " + (dir.path() / "out").string()).size() == 1);
  const fs::path key = dir.path() / "cap" / "server.key.pem";
  CHECK(lines_with(run.out, "ok",
                   "key " + key.string() + ": RSA 2048-bit private key, id " + public_key_short_id(key) +
                       ", mode 0600, for server " + server)
            .size() == 1);
  // Both connections decrypted with the suite OpenSSL negotiated.
  const auto servers = lines_with(run.out, "ok", "server " + server + " (certificate CN=tlsring-test-server");
  REQUIRE(servers.size() == 1);
  CHECK(servers[0].find("2 connection(s)") != std::string::npos);
  CHECK(servers[0].find(scenario.connections[0].cipher + " x2") != std::string::npos);
  CHECK(servers[0].find("verdicts: decrypted x2") != std::string::npos);
  CHECK(run.out.find("tlsring check: ") != std::string::npos);
  CHECK(run.out.find(" 0 FAIL") != std::string::npos);
}

TEST_CASE("check: a key other users can read fails with chmod advice, a group-readable one passes") {
  TempDir dir;
  const fs::path key = dir.path() / "keys" / "server.key.pem";
  fs::create_directories(key.parent_path());
  REQUIRE(shared_credentials().write_key_pem(key).ok());
  const fs::path config = write_config(dir, with_keys(bound_key("10.1.0.1:3000", "keys/server.key.pem")));

  fs::permissions(key, kMode644);
  const CheckRun open = run_check({"-c", config.string()});
  INFO(open.out << open.err);
  CHECK(open.exit_code == 1);
  CHECK(lines_with(open.out, "FAIL", "key " + key.string() + ": mode 0644: other users can read it").size() == 1);
  CHECK(open.out.find("      fix: chgrp tlsring " + key.string() + " && chmod 640 " + key.string()) !=
        std::string::npos);

  fs::permissions(key, kMode640);
  const CheckRun group = run_check({"-c", config.string()});
  INFO(group.out << group.err);
  CHECK(group.exit_code == 0);
  CHECK(lines_with(group.out, "FAIL", "").empty());
  CHECK(lines_with(group.out, "ok", "key " + key.string() + ": RSA 2048-bit private key").size() == 1);
}

TEST_CASE("check: a .pfx with the wrong password fails, naming the file and the password source") {
  TempDir dir;
  const fs::path pfx = dir.path() / "server.pfx";
  REQUIRE(shared_credentials().write_pkcs12(pfx, "right password").ok());
  fs::permissions(pfx, kMode600);
  const fs::path pass = dir.path() / "server.pass";
  write_file(pass, "wrong password\n", kMode600);
  const fs::path config =
      write_config(dir, with_keys(bound_key("10.1.0.1:3000", "server.pfx", "      password_file: server.pass\n")));

  const CheckRun wrong = run_check({"-c", config.string()});
  INFO(wrong.out << wrong.err);
  CHECK(wrong.exit_code == 1);
  const auto failed = lines_with(wrong.out, "FAIL", pfx.string());
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].find("wrong password") != std::string::npos);
  CHECK(wrong.out.find("      password source: password_file " + pass.string()) != std::string::npos);
  CHECK(lines_with(wrong.out, "ok", "password file " + pass.string() + " (for " + pfx.string() + "): mode 0600")
            .size() == 1);

  write_file(pass, "right password\n", kMode600);
  const CheckRun right = run_check({"-c", config.string()});
  INFO(right.out << right.err);
  CHECK(right.exit_code == 0);
  CHECK(lines_with(right.out, "ok", "key " + pfx.string() + ": RSA 2048-bit private key").size() == 1);
}

TEST_CASE("check: a password in an unset environment variable warns, set, the key is opened with it") {
  TempDir dir;
  const fs::path pfx = dir.path() / "server.pfx";
  REQUIRE(shared_credentials().write_pkcs12(pfx, "env password").ok());
  fs::permissions(pfx, kMode600);
  const fs::path config = write_config(
      dir, with_keys(bound_key("10.1.0.1:3000", "server.pfx", "      password_env: TLSRING_CHECK_TEST_PASS\n")));

  unsetenv("TLSRING_CHECK_TEST_PASS");
  const CheckRun unset = run_check({"-c", config.string()});
  INFO(unset.out << unset.err);
  CHECK(unset.exit_code == 0);
  CHECK(lines_with(unset.out, "warn", "TLSRING_CHECK_TEST_PASS (its password) is not set").size() == 1);

  setenv("TLSRING_CHECK_TEST_PASS", "env password", 1);
  const CheckRun set = run_check({"-c", config.string()});
  unsetenv("TLSRING_CHECK_TEST_PASS");
  INFO(set.out << set.err);
  CHECK(set.exit_code == 0);
  CHECK(lines_with(set.out, "ok", "key " + pfx.string() + ": RSA 2048-bit private key").size() == 1);
}

TEST_CASE("check: a missing key file fails, naming the config entry") {
  TempDir dir;
  const fs::path config = write_config(dir, with_keys(bound_key("10.1.0.1:3000", "nowhere.pem")));
  const CheckRun run = run_check({"-c", config.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(lines_with(run.out, "FAIL", "key " + (dir.path() / "nowhere.pem").string() + ": no such file").size() == 1);
  // The entry is the 11th line of config_text's file (after 10 lines of other keys).
  CHECK(run.out.find("decrypt.keys entry at " + config.string() + ":11:") != std::string::npos);
}

TEST_CASE("check: an unknown interface fails and lists the interfaces that exist") {
  TempDir dir;
  const fs::path config = write_config(dir, with_interfaces("[lo, nosuch0]"));
  const CheckRun run = run_check({"-c", config.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(lines_with(run.out, "FAIL", "interface lo").empty());  // every Linux host has a loopback
  REQUIRE(lines_with(run.out, "FAIL", "interface nosuch0: no such capture interface").size() == 1);
  const auto at = run.out.find("      interfaces that exist: ");
  REQUIRE(at != std::string::npos);
  const std::string listed = run.out.substr(at, run.out.find('\n', at) - at);
  // Every interface the kernel has is listed (libpcap lists them all, up or down).
  struct if_nameindex* names = if_nameindex();
  REQUIRE(names != nullptr);
  for (const struct if_nameindex* n = names; n->if_index != 0; ++n) {
    CHECK(listed.find(n->if_name) != std::string::npos);
  }
  if_freenameindex(names);
  CHECK(listed.find("nosuch0") == std::string::npos);
}

TEST_CASE("check: a filter libpcap does not compile fails, quoting libpcap") {
  const std::string filter = "tcp port 3000 and hots 10.0.0.1";
  // libpcap's own message for it, compiled here the way the check describes.
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
  REQUIRE(dead != nullptr);
  bpf_program program{};
  REQUIRE(pcap_compile(dead, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0);
  const std::string message = pcap_geterr(dead);
  pcap_close(dead);
  REQUIRE(!message.empty());

  TempDir dir;
  const fs::path config = write_config(dir, with_filter("\"" + filter + "\""));
  const CheckRun run = run_check({"-c", config.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(lines_with(run.out, "FAIL", "filter \"" + filter + "\": does not compile: " + message).size() == 1);
}

TEST_CASE("check --pcap: a key that is not the server's fails with key_mismatch for that server") {
  TempDir dir;
  const auto scenario = make_capture(dir.path() / "cap", "AES256-SHA256");
  const std::string server = server_of(scenario);
  auto other = testgen::ServerCredentials::generate("another-server", 1024);
  REQUIRE(other.ok());
  REQUIRE(other->write_key_pem(dir.path() / "other.key.pem").ok());
  const fs::path config = write_config(dir, with_keys(bound_key(server, "other.key.pem")));

  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  // The key itself is fine: a 1024-bit RSA key.
  CHECK(lines_with(run.out, "ok", "other.key.pem: RSA 1024-bit private key").size() == 1);
  const auto failed = lines_with(run.out, "FAIL", "server " + server);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].find("verdicts: key_mismatch x1") != std::string::npos);
  CHECK(failed[0].find(scenario.connections[0].cipher + " x1") != std::string::npos);
  CHECK(run.out.find("      key_mismatch x1: ") != std::string::npos);
  CHECK(run.out.find("      fix: ") != std::string::npos);
}

TEST_CASE("check --pcap: an ECDHE session warns not_rsa_key_exchange, naming the suite") {
  TempDir dir;
  const auto scenario = make_capture(dir.path() / "cap", "ECDHE-RSA-AES128-GCM-SHA256");
  const std::string server = server_of(scenario);
  const std::string suite = scenario.connections[0].cipher;
  REQUIRE(suite == "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  const fs::path config = write_config(dir, with_keys(bound_key(server, "cap/server.key.pem")));

  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  const auto warned = lines_with(run.out, "warn", "server " + server);
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("verdicts: not_rsa_key_exchange x1") != std::string::npos);
  CHECK(run.out.find("      not_rsa_key_exchange x1 (" + suite + " x1): ") != std::string::npos);
  CHECK(run.out.find("      fix: ") != std::string::npos);
}

TEST_CASE("check --pcap: a server without a key warns no_key and shows the config entry to add") {
  TempDir dir;
  const auto scenario = make_capture(dir.path() / "cap", "AES128-SHA");
  const std::string server = server_of(scenario);
  const fs::path config = write_config(dir, ConfigParts{});

  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(lines_with(run.out, "warn", "keys: decrypt.keys and decrypt.keylogs are empty").size() == 1);
  const auto warned = lines_with(run.out, "warn", "server " + server);
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("verdicts: no_key x1") != std::string::npos);
  CHECK(run.out.find("          - server: " + server + "\n            file: ") != std::string::npos);
}

TEST_CASE("check --pcap: a key bound to a server the capture never shows warns") {
  TempDir dir;
  const auto scenario = make_capture(dir.path() / "cap", "AES128-GCM-SHA256");
  const std::string server = server_of(scenario);
  const fs::path config = write_config(
      dir, with_keys(bound_key(server, "cap/server.key.pem") + bound_key("192.0.2.99:3000", "cap/server.key.pem")));
  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(lines_with(run.out, "ok", "server " + server + " (certificate").size() == 1);
  CHECK(lines_with(run.out, "warn", "server 192.0.2.99:3000: a key is bound to it, but the capture has no connection")
            .size() == 1);
}

TEST_CASE("check --pcap: connections whose handshake is not in the capture warn, saying to restart the clients") {
  TempDir dir;
  // The generator's TLS 1.2 RSA connection has 3 TCP handshake segments and 7
  // TLS handshake segments before its first application data (see
  // tests/e2e/verdicts_test.cpp); the capture starts after them.
  testgen::ScenarioConfig generator = capture_config(dir.path() / "cap", "AES128-GCM-SHA256");
  generator.specs[0].traffic.exchanges = 6;
  generator.impairments.drop_first = 10;
  const auto scenario = generate_capture(generator);
  const std::string server = server_of(scenario);
  const fs::path config = write_config(dir, with_keys(bound_key(server, "cap/server.key.pem")));

  const CheckRun run = run_check({"-c", config.string(), "--pcap", scenario.files[0].path.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  const auto warned = lines_with(run.out, "warn", "server " + server);
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("verdicts: handshake_not_captured x1") != std::string::npos);
  const auto fix = run.out.find("      fix: ", run.out.find("handshake_not_captured x1: "));
  REQUIRE(fix != std::string::npos);
  CHECK(run.out.substr(fix, run.out.find('\n', fix) - fix).find("restart") != std::string::npos);
}

TEST_CASE("check --pcap: several files are one capture, an unbound key is matched by the certificate") {
  TempDir dir;
  testgen::ScenarioConfig generator = capture_config(dir.path() / "cap", "AES256-GCM-SHA384", 3);
  generator.output.split_before_connections = {1, 2};
  const auto scenario = generate_capture(generator);
  REQUIRE(scenario.files.size() == 3);
  const std::string server = server_of(scenario);
  const fs::path config = write_config(dir, with_keys("    - file: cap/server.key.pem\n"));

  std::vector<std::string> args{"-c", config.string()};
  for (const auto& file : scenario.files) {
    args.push_back("--pcap");
    args.push_back(file.path.string());
  }
  const CheckRun run = run_check(args);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(lines_with(run.out, "ok", "for any server whose certificate it matches").size() == 1);
  const auto servers = lines_with(run.out, "ok", "server " + server + " (certificate");
  REQUIRE(servers.size() == 1);
  CHECK(servers[0].find("3 connection(s); suites: " + scenario.connections[0].cipher + " x3; verdicts: decrypted x3") !=
        std::string::npos);
}

TEST_CASE("check --pcap: a file given twice exits 2, files out of capture order warn, naming them") {
  TempDir dir;
  testgen::ScenarioConfig generator = capture_config(dir.path() / "cap", "AES256-GCM-SHA384", 2);
  generator.output.split_before_connections = {1};
  generator.clock.connection_gap_ns = std::int64_t{3600} * 1'000'000'000;  // an hour apart
  const auto scenario = generate_capture(generator);
  REQUIRE(scenario.files.size() == 2);
  const std::string hour1 = scenario.files[0].path.string();
  const std::string hour2 = scenario.files[1].path.string();
  const fs::path config = write_config(dir, with_keys("    - file: cap/server.key.pem\n"));

  const CheckRun twice = run_check({"-c", config.string(), "--pcap", hour1, "--pcap", hour1});
  CHECK(twice.exit_code == 2);
  CHECK(twice.err.find("--pcap " + hour1 + " is given twice, as capture files 1 and 2") != std::string::npos);
  CHECK(twice.out.empty());

  const CheckRun in_order = run_check({"-c", config.string(), "--pcap", hour1, "--pcap", hour2});
  INFO(in_order.out);
  CHECK(in_order.exit_code == 0);
  CHECK(lines_with(in_order.out, "warn", "capture order").empty());

  const CheckRun swapped = run_check({"-c", config.string(), "--pcap", hour2, "--pcap", hour1});
  INFO(swapped.out);
  const auto order = lines_with(swapped.out, "warn", "capture " + hour1 + ": its first packet");
  REQUIRE(order.size() == 1);
  CHECK(order[0].find("older than the last packet of " + hour2) != std::string::npos);
  CHECK(order[0].find("give the files in capture order") != std::string::npos);
}

TEST_CASE("check: key logs are read and parsed") {
  TempDir dir;
  const std::string random(64, 'a');
  const std::string master(96, 'b');
  write_file(dir.path() / "good.log", "# comment\nCLIENT_RANDOM " + random + " " + master + "\n", kMode600);
  // A bad line between good ones, and a last line without its newline (a
  // client writing it, or done without one): the service skips the bad line
  // and reads the rest, and so does check.
  const std::string random2(64, 'c');
  write_file(dir.path() / "bad.log",
             "CLIENT_RANDOM " + random + " " + master + "\nCLIENT_RANDOM " + random + " 12\nCLIENT_RANDOM " + random2 +
                 " " + master,
             kMode600);

  const CheckRun good = run_check({"-c", write_config(dir, with_keylogs("[good.log]")).string()});
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK(lines_with(good.out, "ok", "key log " + (dir.path() / "good.log").string() + ": 1 secret(s)").size() == 1);

  const CheckRun bad = run_check({"-c", write_config(dir, with_keylogs("[bad.log]")).string()});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 0);
  const std::string bad_log = (dir.path() / "bad.log").string();
  CHECK(lines_with(bad.out, "ok", "key log " + bad_log + ": 2 secret(s)").size() == 1);
  CHECK(lines_with(bad.out, "warn", "key log " + bad_log + ": 1 bad line(s)").size() == 1);
  CHECK(bad.out.find("      " + bad_log + ":2: ") != std::string::npos);
  CHECK(bad.out.find("fix: correct those lines, or the program that writes them") != std::string::npos);

  // One that cannot be read at all still fails.
  std::filesystem::create_directories(dir.path() / "folder.log");
  const CheckRun folder = run_check({"-c", write_config(dir, with_keylogs("[folder.log]")).string()});
  INFO(folder.out << folder.err);
  CHECK(folder.exit_code == 1);
  CHECK(lines_with(folder.out, "FAIL", "key log: cannot read " + (dir.path() / "folder.log").string()).size() == 1);

  // Not written yet (a client writes it during the capture): a warning, not a failure.
  const CheckRun later = run_check({"-c", write_config(dir, with_keylogs("[later.log]")).string()});
  INFO(later.out << later.err);
  CHECK(later.exit_code == 0);
  CHECK(lines_with(later.out, "warn", "key log " + (dir.path() / "later.log").string() + ": does not exist yet")
            .size() == 1);
  CHECK(later.out.find("the service reads it before each capture file is decrypted, from when it appears") !=
        std::string::npos);
}

TEST_CASE("check: an output directory that is a file, or a disk below min_free_space, fails") {
  TempDir dir;
  write_file(dir.path() / "afile", "x", kMode600);
  const CheckRun file = run_check({"-c", write_config(dir, with_output("afile")).string()});
  INFO(file.out << file.err);
  CHECK(file.exit_code == 1);
  CHECK(lines_with(file.out, "FAIL", "output directory " + (dir.path() / "afile").string()).size() == 1);

  const CheckRun full = run_check({"-c", write_config(dir, with_min_free_space("1000000TiB")).string()});
  INFO(full.out << full.err);
  CHECK(full.exit_code == 1);
  CHECK(lines_with(full.out, "FAIL", "less than rotation.min_free_space").size() == 1);
  CHECK(lines_with(full.out, "ok", "output directory").size() == 1);
}

TEST_CASE("check: results on a disk of their own are held to min_free_space too") {
  if (::geteuid() != 0) {
    tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                "needs root, to mount a small tmpfs on the results' directory");
  }
  TempDir dir;
  const fs::path runs = dir.path() / "out" / "runs";
  fs::create_directories(runs);
  REQUIRE(::mount("tmpfs", runs.c_str(), "tmpfs", 0, "size=4m,mode=0700") == 0);
  struct Unmount {
    fs::path path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{runs};

  const CheckRun short_of_it = run_check({"-c", write_config(dir, with_min_free_space("8MiB")).string()});
  INFO(short_of_it.out << short_of_it.err);
  CHECK(short_of_it.exit_code == 1);
  CHECK(lines_with(short_of_it.out, "FAIL",
                   "disk space for " + runs.string() +
                       ", the results' own disk: 4.0 MiB free, less than rotation.min_free_space 8.0 MiB")
            .size() == 1);
  CHECK(short_of_it.out.find("decryption would wait, writing no results, until that much is free there") !=
        std::string::npos);
  // The output directory's own disk is roomy: its line passes.
  CHECK(lines_with(short_of_it.out, "ok", "disk space for " + (dir.path() / "out").string() + ": ").size() == 1);

  const CheckRun roomy = run_check({"-c", write_config(dir, with_min_free_space("1MiB")).string()});
  INFO(roomy.out << roomy.err);
  CHECK(roomy.exit_code == 0);
  CHECK(lines_with(roomy.out, "ok",
                   "disk space for " + runs.string() +
                       ", the results' own disk: 4.0 MiB free (rotation.min_free_space 1.0 MiB holds there too)")
            .size() == 1);
}

TEST_CASE("check: an invalid config exits 2 with the loader's FILE:LINE:COL message") {
  TempDir dir;
  const fs::path config = dir.path() / "tlsring.yaml";
  write_file(config, "capture:\n  interfacs: [any]\n", kMode640);
  const CheckRun run = run_check({"-c", config.string()});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 2);
  CHECK(lines_with(run.out, "FAIL", "config " + config.string() + ": does not load").size() == 1);
  CHECK(run.out.find("      " + config.string() + ":2:3: capture.interfacs") != std::string::npos);

  const CheckRun missing = run_check({"-c", (dir.path() / "absent.yaml").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("absent.yaml") != std::string::npos);
}

TEST_CASE("check: bad arguments exit 2 with the usage") {
  CHECK(run_check({}).exit_code == 2);
  const CheckRun unknown = run_check({"-c", "x.yaml", "--frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown option --frobnicate") != std::string::npos);
  CHECK(unknown.err.find("usage: tlsring check") != std::string::npos);
  CHECK(run_check({"-c"}).exit_code == 2);
  CHECK(run_check({"--help"}).exit_code == 0);

  TempDir dir;
  const fs::path config = write_config(dir, ConfigParts{});
  const CheckRun no_capture = run_check({"-c", config.string(), "--pcap", (dir.path() / "none.pcap").string()});
  CHECK(no_capture.exit_code == 2);
  CHECK(no_capture.err.find("none.pcap") != std::string::npos);
  CHECK(no_capture.out.empty());
}

}  // namespace tlsring::check_test
