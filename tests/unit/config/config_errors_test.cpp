// parse_config errors: every class of mistake, with the exact
// FILE:LINE:COL: KEY.PATH: message the admin sees (lines and columns counted
// by hand in the YAML text, from 1).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "config/config_loader.h"

using tlsring::config::parse_config;

namespace {

std::string error_of(const std::string& yaml) {
  const auto result = parse_config(yaml, "tlsring.yaml");
  if (result.ok()) FAIL("expected an error for:\n" << yaml);
  return result.error().message;
}

const std::string kInterfacesAllowed =
    "allowed: a list of one or more interface names, e.g. [eth0], [eth0, eth1], or [any] for all";
const std::string kDurationAllowed =
    "allowed: whole numbers each followed by a unit (d, h, m, s, ms, us, ns), largest unit first, "
    "e.g. 90s, 30m, 1h30m, 500ms, 2d";
const std::string kSizeAllowed =
    "allowed: a whole number followed by a unit: B, KB, MB, GB, TB (powers of 1000) or "
    "KiB, MiB, GiB, TiB (powers of 1024), e.g. 500MiB, 2GiB, 10MB, 4096B";
const std::string kServerAllowed =
    "allowed: IPv4 as A.B.C.D:PORT (e.g. 10.0.0.5:3000) or IPv6 in brackets and quotes "
    "(e.g. \"[2001:db8::5]:3000\"), port 1-65535";

}  // namespace

TEST_CASE("config errors: unknown keys at every level") {
  CHECK(error_of("capture:\n"
                 "  interfaces: [any]\n"
                 "  filter: \"tcp port 3000\"\n"
                 "  snaplen: 262144\n"
                 "  buffer_size: 64MiB\n"
                 "rotation:\n"
                 "  evrey: 1h\n") ==
        "tlsring.yaml:7:3: rotation.evrey: unknown key; allowed: every, max_file_size, keep_files, "
        "max_total_size, min_free_space");
  CHECK(error_of("captur:\n  interfaces: [any]\n") ==
        "tlsring.yaml:1:1: captur: unknown key; allowed: capture, rotation, stop_after, output, decrypt, logging, user");
  CHECK(error_of("capture:\n  interface: [eth0]\n") ==
        "tlsring.yaml:2:3: capture.interface: unknown key; allowed: interfaces, filter, snaplen, buffer_size, "
        "promiscuous");
  CHECK(error_of("output:\n  dir: /tmp\n") ==
        "tlsring.yaml:2:3: output.dir: unknown key; allowed: directory, format");
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      passwd: secret\n") ==
        "tlsring.yaml:4:7: decrypt.keys[0].passwd: unknown key; allowed: server, file, thumbprint, certificate_store, "
        "password_file, password_env");
  CHECK(error_of("logging:\n  lvl: info\n") ==
        "tlsring.yaml:2:3: logging.lvl: unknown key; allowed: level, target, file, max_file_size, max_files");
  CHECK(error_of("decrypt:\n  worker: 2\n") ==
        "tlsring.yaml:2:3: decrypt.worker: unknown key; allowed: workers, keys, keylogs, transcripts, payload, "
        "keep_raw");
}

TEST_CASE("config errors: a key given twice") {
  CHECK(error_of("rotation:\n  every: 1h\n  every: 2h\n") ==
        "tlsring.yaml:3:3: rotation.every: given twice (first at line 2, column 3); allowed: once");
  CHECK(error_of("capture:\n  snaplen: 1\ncapture:\n  snaplen: 2\n") ==
        "tlsring.yaml:3:1: capture: given twice (first at line 1, column 1); allowed: once");
}

TEST_CASE("config errors: wrong types") {
  CHECK(error_of("capture:\n  interfaces: eth0\n") ==
        "tlsring.yaml:2:15: capture.interfaces: expected a list, got 'eth0'; " + kInterfacesAllowed);
  CHECK(error_of("capture:\n  interfaces:\n    name: eth0\n") ==
        "tlsring.yaml:3:5: capture.interfaces: expected a list, got a mapping; " + kInterfacesAllowed);
  CHECK(error_of("capture:\n  snaplen: [1]\n") ==
        "tlsring.yaml:2:12: capture.snaplen: expected a whole number, got a list; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  filter: [tcp]\n") ==
        "tlsring.yaml:2:11: capture.filter: expected a text, got a list; allowed: a BPF filter such as "
        "\"tcp port 3000\" (empty: every packet)");
  CHECK(error_of("rotation: 1h\n") ==
        "tlsring.yaml:1:11: rotation: expected a mapping of keys, got '1h'; allowed: every, max_file_size, "
        "keep_files, max_total_size, min_free_space");
  CHECK(error_of("decrypt:\n  keys:\n    file: a.pem\n") ==
        "tlsring.yaml:3:5: decrypt.keys: expected a list, got a mapping; allowed: a list of entries with file "
        "or thumbprint (one of them), server, password_file or password_env (with file), certificate_store (with "
        "thumbprint)");
  CHECK(error_of("decrypt:\n  keys:\n    - a.pem\n") ==
        "tlsring.yaml:3:7: decrypt.keys[0]: expected a key entry (file: ..., server: ...), got 'a.pem'; allowed: a "
        "list of entries with file or thumbprint (one of them), server, password_file or password_env (with file), "
        "certificate_store (with thumbprint)");
  CHECK(error_of("decrypt:\n  keylogs: /var/lib/tlsring/keys.log\n") ==
        "tlsring.yaml:2:12: decrypt.keylogs: expected a list, got '/var/lib/tlsring/keys.log'; allowed: a list of key "
        "log file paths, e.g. [/var/lib/tlsring/keys.log]");
  CHECK(error_of("stop_after: {hours: 8}\n") ==
        "tlsring.yaml:1:13: stop_after: expected a duration, got a mapping; allowed: a duration such as 90s, 30m, "
        "1h30m, 2d");
  CHECK(error_of("- capture\n") ==
        "tlsring.yaml:1:1: expected the sections capture, rotation, stop_after, output, decrypt, logging, user; "
        "allowed: a mapping of those keys");
  CHECK(error_of("{[a]: 1}\n") ==
        "tlsring.yaml:1:2: a key must be a plain name, got a list; allowed: capture, rotation, stop_after, output, "
        "decrypt, logging, user");
}

TEST_CASE("config errors: a key without a value") {
  // yaml-cpp places the empty value on the next line; the error points at the key.
  CHECK(error_of("rotation:\n  every:\n  keep_files: 4\n") ==
        "tlsring.yaml:2:3: rotation.every: expected a duration, got nothing; allowed: a duration such as 90s, 30m, "
        "1h30m, 2d");
  CHECK(error_of("capture:\n  interfaces:\n") ==
        "tlsring.yaml:2:3: capture.interfaces: expected a list, got nothing; " + kInterfacesAllowed);
  CHECK(error_of("decrypt:\n  transcripts: ~\n") ==
        "tlsring.yaml:2:3: decrypt.transcripts: expected true or false, got nothing; allowed: true, false");
}

TEST_CASE("config errors: capture values") {
  CHECK(error_of("capture:\n  interfaces: []\n") ==
        "tlsring.yaml:2:15: capture.interfaces: the list is empty; " + kInterfacesAllowed);
  CHECK(error_of("capture:\n  interfaces: [eth0, \"\"]\n") ==
        "tlsring.yaml:2:22: capture.interfaces[1]: is empty; " + kInterfacesAllowed);
  CHECK(error_of("capture:\n  interfaces: [eth0, eth0]\n") ==
        "tlsring.yaml:2:22: capture.interfaces[1]: 'eth0' is listed twice; allowed: each interface once");
  CHECK(error_of("capture:\n  interfaces: [any, eth0]\n") ==
        "tlsring.yaml:2:15: capture.interfaces: 'any' captures every interface and must be listed alone; " +
            kInterfacesAllowed);
  CHECK(error_of("capture:\n  snaplen: 0\n") ==
        "tlsring.yaml:2:12: capture.snaplen: 0 is out of range; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  snaplen: 262145\n") ==
        "tlsring.yaml:2:12: capture.snaplen: 262145 is out of range; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  snaplen: 99999999999999999999999\n") ==
        "tlsring.yaml:2:12: capture.snaplen: 99999999999999999999999 is out of range; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  snaplen: -1\n") ==
        "tlsring.yaml:2:12: capture.snaplen: '-1' is not a whole number; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  snaplen: 64KiB\n") ==
        "tlsring.yaml:2:12: capture.snaplen: '64KiB' is not a whole number; allowed: 1 to 262144");
  CHECK(error_of("capture:\n  buffer_size: 64\n") ==
        "tlsring.yaml:2:16: capture.buffer_size: '64' has no unit (bare numbers are not allowed; write 4096B for "
        "bytes); " + kSizeAllowed);
  CHECK(error_of("capture:\n  buffer_size: 512KiB\n") ==
        "tlsring.yaml:2:16: capture.buffer_size: '512KiB' is too small; allowed: at least 1MiB");
  CHECK(error_of("capture:\n  buffer_size: 2GiB\n") ==
        "tlsring.yaml:2:16: capture.buffer_size: '2GiB' is too large; allowed: at most 2047MiB");
  CHECK(error_of("capture:\n  promiscuous: yes\n") ==
        "tlsring.yaml:2:16: capture.promiscuous: 'yes' is not true or false; allowed: true, false");
}

TEST_CASE("config errors: rotation and stop_after values") {
  CHECK(error_of("rotation:\n  every: 90\n") ==
        "tlsring.yaml:2:10: rotation.every: '90' has no unit after its last number (bare numbers are not allowed); " +
            kDurationAllowed);
  CHECK(error_of("rotation:\n  every: -1h\n") ==
        "tlsring.yaml:2:10: rotation.every: '-1h' is negative; " + kDurationAllowed);
  CHECK(error_of("rotation:\n  every: 500ms\n") ==
        "tlsring.yaml:2:10: rotation.every: '500ms' is too short; allowed: at least 1s");
  CHECK(error_of("rotation:\n  every: \"1h 30m\"\n") ==
        "tlsring.yaml:2:10: rotation.every: '1h 30m' contains a space; " + kDurationAllowed);
  CHECK(error_of("rotation:\n  keep_files: 0\n") ==
        "tlsring.yaml:2:15: rotation.keep_files: 0 is out of range; allowed: 1 to 1000000");
  CHECK(error_of("rotation:\n  max_file_size: 1KiB\n") ==
        "tlsring.yaml:2:18: rotation.max_file_size: '1KiB' is too small; allowed: at least 64KiB");
  CHECK(error_of("rotation:\n  max_file_size: 2GiB\n  max_total_size: 1GiB\n") ==
        "tlsring.yaml:3:19: rotation.max_total_size: '1GiB' is smaller than rotation.max_file_size (2GiB); allowed: "
        "at least max_file_size");
  CHECK(error_of("stop_after: 0s\n") == "tlsring.yaml:1:13: stop_after: '0s' is too short; allowed: at least 1s");
  CHECK(error_of("stop_after: 8\n") ==
        "tlsring.yaml:1:13: stop_after: '8' has no unit after its last number (bare numbers are not allowed); " +
            kDurationAllowed);
}

TEST_CASE("config errors: output values") {
  CHECK(error_of("output:\n  format: pcapx\n") ==
        "tlsring.yaml:2:11: output.format: unknown format 'pcapx'; allowed: pcapng, pcap, pcap-nano");
  CHECK(error_of("output:\n  directory: \"\"\n") ==
        "tlsring.yaml:2:14: output.directory: is empty; allowed: a file or directory path, absolute or relative to "
        "the config file's directory");
  CHECK(error_of("output:\n  directory: ~/captures\n") ==
        "tlsring.yaml:2:14: output.directory: '~/captures' starts with ~, which is not expanded here; allowed: a "
        "file or directory path, absolute or relative to the config file's directory");
}

TEST_CASE("config errors: decrypt values") {
  CHECK(error_of("decrypt:\n  workers: 0\n") ==
        "tlsring.yaml:2:12: decrypt.workers: 0 is out of range; allowed: 1 to 64");
  CHECK(error_of("decrypt:\n  workers: 65\n") ==
        "tlsring.yaml:2:12: decrypt.workers: 65 is out of range; allowed: 1 to 64");
  CHECK(error_of("decrypt:\n  keys:\n    - server: 10.0.0.5:3000\n      password_file: a.pass\n") ==
        "tlsring.yaml:3:7: decrypt.keys[0]: the key entry has no file and no thumbprint; allowed: file: PATH to "
        "the server's private key (PEM, DER or PKCS#12 .pfx/.p12), or thumbprint: its certificate's thumbprint in "
        "the Windows certificate store");
  CHECK(error_of("decrypt:\n"
                 "  keys:\n"
                 "    - file: a.pem\n"
                 "    - file: b.pfx\n"
                 "      password_file: b.pass\n"
                 "      password_env: B_PASS\n") ==
        "tlsring.yaml:4:7: decrypt.keys[1]: both password_file and password_env are given; allowed: one of them");
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      password_env: 1PASS\n") ==
        "tlsring.yaml:4:21: decrypt.keys[0].password_env: '1PASS' is not an environment variable name; allowed: an "
        "environment variable name (letters, digits, _), e.g. TLSRING_KEY_PASS");
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      server: 10.0.0.5\n") ==
        "tlsring.yaml:4:15: decrypt.keys[0].server: '10.0.0.5' has no port; " + kServerAllowed);
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      server: tserver:3000\n") ==
        "tlsring.yaml:4:15: decrypt.keys[0].server: 'tserver:3000' does not start with an IPv4 address; " +
            kServerAllowed);
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      server: 10.0.0.5:70000\n") ==
        "tlsring.yaml:4:15: decrypt.keys[0].server: '10.0.0.5:70000' has a port outside 1-65535; " + kServerAllowed);
  CHECK(error_of("decrypt:\n  keys:\n    - file: a.pem\n      server: [::1]\n") ==
        "tlsring.yaml:4:15: decrypt.keys[0].server: expected IP:PORT, got a list; allowed: IPv4 as A.B.C.D:PORT or "
        "IPv6 in quotes, e.g. \"[2001:db8::5]:3000\"");
  CHECK(error_of("decrypt:\n  keylogs: [a.log, \"\"]\n") ==
        "tlsring.yaml:2:20: decrypt.keylogs[1]: is empty; allowed: a file or directory path, absolute or relative to "
        "the config file's directory");
  CHECK(error_of("decrypt:\n  payload: 1\n") ==
        "tlsring.yaml:2:12: decrypt.payload: '1' is not true or false; allowed: true, false");
}

TEST_CASE("config errors: logging values") {
  CHECK(error_of("logging:\n  level: verbose\n") ==
        "tlsring.yaml:2:10: logging.level: unknown level 'verbose'; allowed: trace, debug, info, warn, error");
  CHECK(error_of("logging:\n  target: syslog\n") ==
        "tlsring.yaml:2:11: logging.target: unknown target 'syslog'; allowed: console, journal, file");
  CHECK(error_of("logging:\n  max_files: 0\n") ==
        "tlsring.yaml:2:14: logging.max_files: 0 is out of range; allowed: 1 to 1000");
  CHECK(error_of("logging:\n  max_file_size: 10\n") ==
        "tlsring.yaml:2:18: logging.max_file_size: '10' has no unit (bare numbers are not allowed; write 4096B for "
        "bytes); " + kSizeAllowed);
}

TEST_CASE("config errors: YAML syntax errors carry their position") {
  // The second ':' on line 2 (column 13) makes no sense in a block mapping.
  CHECK(error_of("capture:\n  snaplen: 5: 6\n") ==
        "tlsring.yaml:2:13: YAML syntax error: illegal map value; check the indentation (spaces, not tabs), quotes "
        "and brackets here or just before");
  // An unquoted IPv6 server is a flow list followed by text.
  CHECK_THAT(error_of("decrypt:\n  keys:\n    - server: [2001:db8::5]:3000\n      file: a.pem\n"),
             Catch::StartsWith("tlsring.yaml:3:") && Catch::Contains(": YAML syntax error: "));
  CHECK_THAT(error_of("capture:\n  interfaces: [any\nrotation:\n  every: 1h\n"),
             Catch::StartsWith("tlsring.yaml:3:") && Catch::Contains(": YAML syntax error: end of sequence flow not found"));
  CHECK(error_of("rotation:\n  every: 1h\n---\nrotation:\n  every: 2h\n") ==
        "tlsring.yaml:4:1: a second YAML document (after ---); allowed: one document holding every section");
}

TEST_CASE("config errors: every problem is reported, in file order") {
  const std::string message = error_of(
      "logging:\n"
      "  level: loud\n"
      "capture:\n"
      "  snaplen: 0\n"
      "  interfaces: []\n"
      "decrypt:\n"
      "  workers: 100\n"
      "  keys:\n"
      "    - server: 10.0.0.5:3000\n");
  CHECK(message ==
        "tlsring.yaml:2:10: logging.level: unknown level 'loud'; allowed: trace, debug, info, warn, error\n"
        "tlsring.yaml:4:12: capture.snaplen: 0 is out of range; allowed: 1 to 262144\n"
        "tlsring.yaml:5:15: capture.interfaces: the list is empty; " + kInterfacesAllowed + "\n"
        "tlsring.yaml:7:12: decrypt.workers: 100 is out of range; allowed: 1 to 64\n"
        "tlsring.yaml:9:7: decrypt.keys[0]: the key entry has no file and no thumbprint; allowed: file: PATH to "
        "the server's private key (PEM, DER or PKCS#12 .pfx/.p12), or thumbprint: its certificate's thumbprint in "
        "the Windows certificate store");
}

TEST_CASE("config errors: at most 20 problems are listed, then a count") {
  std::string yaml = "capture:\n";
  for (int i = 0; i < 25; ++i) yaml += "  bad" + std::to_string(i) + ": 1\n";
  const std::string message = error_of(yaml);
  const auto lines = std::count(message.begin(), message.end(), '\n') + 1;
  CHECK(lines == 21);
  CHECK_THAT(message, Catch::StartsWith("tlsring.yaml:2:3: capture.bad0: unknown key; "));
  CHECK_THAT(message, Catch::Contains("tlsring.yaml:21:3: capture.bad19: unknown key; "));
  CHECK_THAT(message, !Catch::Contains("capture.bad20"));
  CHECK_THAT(message, Catch::EndsWith("\ntlsring.yaml: 5 more problems not shown"));
}
