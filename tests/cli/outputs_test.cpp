// `tlsring decrypt` on good input: what it writes, with which modes, and
// that the decrypted bytes and secrets equal an independent reference
// (Wireshark's expected output, or what the generator's OpenSSL peers sent).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>

#include "tests/cli/cli_env.h"

using namespace tlsring::clitest;

namespace {

const char* const kSessionFields[] = {"client",   "server", "first_seen", "last_seen", "version", "cipher",
                                      "resumed",  "extended_master_secret", "sni", "c2s_bytes", "s2c_bytes",
                                      "records",  "verdict", "reason", "fix", "files"};

ChildOptions with_umask_000() {
  ChildOptions options;
  options.umask = 0;
  return options;
}

// Directories 0700 and files 0600, the output directory itself included,
// even though the child ran with umask 000.
void check_private_modes(const fs::path& out) {
  CHECK(mode_of(out) == 0700);
  CHECK(mode_of(out / "connections") == 0700);
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    INFO(entry.path());
    if (entry.is_directory()) {
      CHECK(mode_of(entry.path()) == 0700);
    } else {
      CHECK(entry.is_regular_file());
      CHECK(mode_of(entry.path()) == 0600);
      ++files;
    }
  }
  CHECK(files >= 3);
}

void check_session_shape(const FlatJson& session) {
  for (const char* name : kSessionFields) {
    INFO("field " << name);
    CHECK(session.count(name) == 1);
  }
  const std::regex timestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  CHECK(std::regex_match(field(session, "first_seen"), timestamp));
  CHECK(std::regex_match(field(session, "last_seen"), timestamp));
  CHECK(field(session, "first_seen") <= field(session, "last_seen"));
  for (const char* number : {"c2s_bytes", "s2c_bytes", "records"}) {
    INFO("field " << number);
    if (session.count(number) != 0) CHECK(session.at(number).kind == JsonValue::Kind::number);
  }
  if (session.count("files") != 0) CHECK(session.at("files").kind == JsonValue::Kind::object);
}

// Every file sessions.jsonl names exists, and every file in connections/ is
// named by sessions.jsonl: nothing stale, nothing unaccounted for.
void check_files_accounted_for(const fs::path& out, const std::vector<FlatJson>& sessions) {
  std::set<std::string> named;
  for (const auto& s : sessions) {
    for (const auto& [name, value] : s) {
      if (name.rfind("files.", 0) == 0 && value.kind == JsonValue::Kind::string) named.insert(value.text);
    }
  }
  for (const auto& file : named) {
    INFO("named in sessions.jsonl: " << file);
    CHECK(fs::is_regular_file(out / file));
  }
  for (const auto& entry : fs::directory_iterator(out / "connections")) {
    const std::string relative = "connections/" + entry.path().filename().string();
    INFO("in connections/ but not named in sessions.jsonl: " << relative);
    CHECK(named.count(relative) == 1);
  }
}

const FlatJson* session_of_client(const std::vector<FlatJson>& sessions, const std::string& client) {
  for (const auto& s : sessions) {
    if (field(s, "client") == client) return &s;
  }
  return nullptr;
}

// "# case: X  tcp.stream: N  client: IP:PORT  server: IP:PORT" -> the value after `key`.
std::string header_value(const std::string& header, const std::string& key) {
  const auto at = header.find(key);
  REQUIRE(at != std::string::npos);
  const auto start = at + key.size();
  return header.substr(start, header.find(' ', start) - start);
}

}  // namespace

TEST_CASE("decrypt outputs: rsasnakeoil2 with a bound key, against Wireshark's expected output") {
  const auto fixtures = require_wireshark_fixtures("decrypt outputs: rsasnakeoil2 with a bound key");
  const fs::path expected = fixtures / "captures/rsasnakeoil2.expected";
  TempDir dir;
  const fs::path out = dir / "decrypted";
  const std::vector<std::string> args{"decrypt", (fixtures / "captures/rsasnakeoil2.pcap").string(), "--key",
                                      "127.0.0.1:443=" + (fixtures / "keys/rsasnakeoil2.key").string(), "-o",
                                      out.string()};
  const ChildResult r = run_tlsring(args, with_umask_000());
  INFO("tlsring " << describe(args) << "\n--- stderr:\n" << r.err << "--- stdout:\n" << r.out);
  REQUIRE(r.exit_status == 0);
  CHECK(r.err.empty());

  for (const char* name : {"sessions.jsonl", "keys.log", "summary.txt"}) CHECK(fs::is_regular_file(out / name));
  check_private_modes(out);

  // The summary: on stdout and, identical, in summary.txt. Two TCP streams
  // (README of the fixtures), both decrypted.
  CHECK_THAT(r.out, Catch::Contains("2 connection(s)") && Catch::Contains("decrypted: 2 ") &&
                        Catch::Contains("not decrypted: 0"));
  CHECK(read_file(out / "summary.txt") == r.out);

  const auto sessions = read_sessions(out);
  REQUIRE(sessions.size() == 2);
  for (const auto& s : sessions) check_session_shape(s);
  check_files_accounted_for(out, sessions);

  for (int stream = 0; stream < 2; ++stream) {
    const std::string prefix = "stream-" + std::to_string(stream);
    const auto tsv = read_lines(expected / (prefix + ".records.tsv"));
    REQUIRE_FALSE(tsv.empty());
    const std::string client = header_value(tsv[0], "client: ");
    const std::string server = header_value(tsv[0], "server: ");
    std::size_t records = 0;
    for (const auto& line : tsv) records += (!line.empty() && line[0] != '#') ? 1 : 0;
    INFO("tcp.stream " << stream << " client " << client);
    const FlatJson* s = session_of_client(sessions, client);
    REQUIRE(s != nullptr);
    CHECK(field(*s, "server") == server);
    CHECK(field(*s, "verdict") == "decrypted");
    CHECK(field(*s, "version") == "SSL 3.0");
    CHECK_THAT(field(*s, "cipher"), Catch::Equals("TLS_RSA_WITH_AES_256_CBC_SHA") ||
                                        Catch::Equals("TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
    CHECK(field(*s, "extended_master_secret") == "false");  // SSL 3.0 has no extensions
    CHECK(s->at("sni").kind == JsonValue::Kind::null);
    // Stream 1 resumes stream 0's session by session ID (fixtures README).
    if (stream == 0) CHECK(field(*s, "resumed") == "no");
    if (stream == 1) CHECK(field(*s, "resumed") != "no");
    const std::string c2s = read_file(expected / (prefix + ".c2s.bin"));
    const std::string s2c = read_file(expected / (prefix + ".s2c.bin"));
    CHECK(field(*s, "c2s_bytes") == std::to_string(c2s.size()));
    CHECK(field(*s, "s2c_bytes") == std::to_string(s2c.size()));
    CHECK(field(*s, "records") == std::to_string(records));
    REQUIRE(s->count("files.c2s") == 1);
    REQUIRE(s->count("files.s2c") == 1);
    CHECK(read_file(out / field(*s, "files.c2s")) == c2s);
    CHECK(read_file(out / field(*s, "files.s2c")) == s2c);
    if (stream == 0) {
      REQUIRE(s->count("files.transcript") == 1);
      const std::string transcript = read_file(out / field(*s, "files.transcript"));
      const auto entry = transcript.find("client -> server");
      REQUIRE(entry != std::string::npos);
      const auto body = transcript.find('\n', entry) + 1;
      CHECK(transcript.compare(body, 14, "GET / HTTP/1.1") == 0);
      CHECK_THAT(transcript, Catch::Contains("server -> client") && Catch::Contains("HTTP/1.1 200 OK"));
    }
  }

  // keys.log: exactly the lines tshark exported for this capture, the
  // CLIENT_RANDOM lines and the RSA Session-ID lines a resumption needs.
  auto tshark_keys = lines_starting_with(expected / "session-keys.txt", "CLIENT_RANDOM ");
  REQUIRE(tshark_keys.size() == 3);
  const auto tshark_session_ids = lines_starting_with(expected / "session-keys.txt", "RSA Session-ID:");
  REQUIRE(tshark_session_ids.size() == 2);
  tshark_keys.insert(tshark_session_ids.begin(), tshark_session_ids.end());
  std::set<std::string> written;
  for (const auto& line : read_lines(out / "keys.log")) {
    if (line.empty() || line[0] == '#') continue;
    INFO("keys.log line: " << line);
    CHECK(tshark_keys.count(line) == 1);
    written.insert(line);
  }
  CHECK(written == tshark_keys);
}

TEST_CASE("decrypt outputs: a generated TLS 1.2 capture with a key matched by its certificate") {
  TempDir dir;
  const Generated gen = generate(dir / "gen", {"--sessions", "3", "--port", "3000", "--version", "1.2", "--ciphers",
                                               "AES128-GCM-SHA256", "--format", "pcapng", "--quiet"});
  REQUIRE(gen.connections.size() == 3);
  const fs::path out = dir / "out";
  const std::vector<std::string> args{"decrypt", gen.capture.string(), "--key", (gen.dir / "server.key.pem").string(),
                                      "-o", out.string()};
  const ChildResult r = run_tlsring(args, with_umask_000());
  INFO("tlsring " << describe(args) << "\n--- stderr:\n" << r.err << "--- stdout:\n" << r.out);
  REQUIRE(r.exit_status == 0);
  CHECK(r.err.empty());
  check_private_modes(out);
  CHECK_THAT(r.out, Catch::Contains("3 connection(s)") && Catch::Contains("decrypted: 3 "));
  const std::string key_used = "RSA key " + (gen.dir / "server.key.pem").string();
  CHECK_THAT(r.out, Catch::Contains("\n  keys used: " + key_used + " 3\n"));
  CHECK(read_file(out / "summary.txt") == r.out);

  const auto sessions = read_sessions(out);
  REQUIRE(sessions.size() == 3);
  check_files_accounted_for(out, sessions);
  const auto written_keys = lines_starting_with(out / "keys.log", "CLIENT_RANDOM ");
  const auto generator_keys = lines_starting_with(gen.dir / "keys.log", "CLIENT_RANDOM ");
  for (const auto& line : written_keys) {
    INFO("keys.log line: " << line);
    CHECK(generator_keys.count(line) == 1);
  }
  for (const auto& conn : gen.connections) {
    const std::string client = conn.at("client") + ":" + conn.at("client_port");
    INFO("connection " << conn.at("index") << " client " << client);
    const FlatJson* s = session_of_client(sessions, client);
    REQUIRE(s != nullptr);
    check_session_shape(*s);
    CHECK(field(*s, "server") == conn.at("server") + ":" + conn.at("server_port"));
    CHECK(field(*s, "verdict") == "decrypted");
    CHECK(conn.at("version") == "TLSv1.2");
    CHECK(field(*s, "version") == "TLS 1.2");
    CHECK(field(*s, "cipher") == conn.at("cipher"));
    CHECK(field(*s, "resumed") == "no");
    CHECK(field(*s, "keys_from") == key_used);
    CHECK(field(*s, "extended_master_secret") == "true");  // the generator's default (--no-ems turns it off)
    CHECK(field(*s, "c2s_bytes") == conn.at("c2s_bytes"));
    CHECK(field(*s, "s2c_bytes") == conn.at("s2c_bytes"));
    CHECK(read_file(out / field(*s, "files.c2s")) == read_file(gen.dir / conn.at("c2s_file")));
    CHECK(read_file(out / field(*s, "files.s2c")) == read_file(gen.dir / conn.at("s2c_file")));
    // The master secret of this connection, proved by its Finished, is in keys.log.
    bool found = false;
    for (const auto& line : written_keys) found = found || line.rfind("CLIENT_RANDOM " + conn.at("client_random") + " ", 0) == 0;
    CHECK(found);
  }
}

TEST_CASE("decrypt outputs: keys.log carries a session ID, so a resumption in a later capture decrypts without the key") {
  TempDir dir;
  const Generated gen = generate(dir / "gen", {"--sessions", "1", "--resume", "id", "--resumptions", "1",
                                               "--split-before-connection", "1", "--version", "1.2", "--ciphers",
                                               "AES128-GCM-SHA256", "--format", "pcapng", "--quiet"});
  REQUIRE(gen.captures.size() == 2);
  REQUIRE(gen.connections.size() == 2);
  REQUIRE(gen.connections[1].at("resumed") == "1");

  // The first file, with the server's key: the full handshake.
  const fs::path first = dir / "first";
  const ChildResult r1 = run_tlsring({"decrypt", gen.captures[0].string(), "--key",
                                      (gen.dir / "server.key.pem").string(), "-o", first.string()});
  INFO(r1.err << r1.out);
  REQUIRE(r1.exit_status == 0);
  const auto session_ids = lines_starting_with(first / "keys.log", "RSA Session-ID:");
  REQUIRE(session_ids.size() == 1);

  // The second file alone, with nothing but that keys.log: the resumption.
  const fs::path second = dir / "second";
  const ChildResult r2 = run_tlsring({"decrypt", gen.captures[1].string(), "--keylog",
                                      (first / "keys.log").string(), "-o", second.string()});
  INFO(r2.err << r2.out);
  REQUIRE(r2.exit_status == 0);
  const auto sessions = read_sessions(second);
  REQUIRE(sessions.size() == 1);
  const auto& resumed = gen.connections[1];
  CHECK(field(sessions[0], "verdict") == "decrypted");
  CHECK(field(sessions[0], "resumed") == "session_id");
  CHECK(read_file(second / field(sessions[0], "files.c2s")) == read_file(gen.dir / resumed.at("c2s_file")));
  CHECK(read_file(second / field(sessions[0], "files.s2c")) == read_file(gen.dir / resumed.at("s2c_file")));
}

TEST_CASE("decrypt outputs: capture files given out of capture order are decrypted, with a warning naming them") {
  TempDir dir;
  // Three connections an hour apart, one per file.
  const Generated gen = generate(dir / "gen", {"--sessions", "3", "--split-before-connection", "1,2", "--gap-us",
                                               "3600000000", "--version", "1.2", "--ciphers", "AES128-GCM-SHA256",
                                               "--format", "pcapng", "--quiet"});
  REQUIRE(gen.captures.size() == 3);
  const std::string key = (gen.dir / "server.key.pem").string();
  const std::string hour1 = gen.captures[0].string();
  const std::string hour2 = gen.captures[1].string();
  const std::string hour3 = gen.captures[2].string();

  const fs::path in_order = dir / "in-order";
  const ChildResult ok = run_tlsring({"decrypt", hour1, hour2, hour3, "--key", key, "-o", in_order.string()});
  INFO(ok.err << ok.out);
  REQUIRE(ok.exit_status == 0);
  CHECK(ok.err.empty());
  CHECK_THAT(read_file(in_order / "summary.txt"), !Catch::Contains("warning"));

  const fs::path swapped = dir / "swapped";
  const ChildResult r = run_tlsring({"decrypt", hour2, hour1, hour3, "--key", key, "-o", swapped.string()});
  INFO(r.err << r.out);
  REQUIRE(r.exit_status == 0);
  const std::string warning = hour1 + ": its first packet (2023-11-14T22:13:20.000000000Z) is 60 min older than the "
                              "last packet of " + hour2;
  CHECK_THAT(r.err, Catch::Contains("tlsring decrypt: warning: " + warning) &&
                        Catch::Contains("give the files in capture order"));
  CHECK_THAT(read_file(swapped / "summary.txt"), Catch::Contains("warning: " + warning));
  // Only hour1 is out of order: hour3 follows hour1's predecessor in time.
  CHECK_THAT(r.err, !Catch::Contains(hour3 + ": its first packet"));
  // Each connection lies in one file, so all three still decrypt.
  const auto sessions = read_sessions(swapped);
  REQUIRE(sessions.size() == 3);
  for (const auto& s : sessions) CHECK(field(s, "verdict") == "decrypted");
}

TEST_CASE("decrypt outputs: --help") {
  const ChildResult decrypt_help = run_tlsring({"decrypt", "--help"});
  CHECK(decrypt_help.exit_status == 0);
  CHECK_THAT(decrypt_help.out, Catch::Contains("usage: tlsring decrypt") && Catch::Contains("--key") &&
                                   Catch::Contains("--keylog") && Catch::Contains("-o"));
  CHECK(decrypt_help.err.empty());
  const ChildResult help = run_tlsring({"--help"});
  CHECK(help.exit_status == 0);
  CHECK_THAT(help.out, Catch::Contains("decrypt"));
}

TEST_CASE("decrypt outputs: an output path that is a file is bad input (exit 2), named") {
  TempDir dir;
  write_empty_pcap(dir / "c.pcap");
  write_file(dir / "report", "not a directory\n");
  const ChildResult r = run_tlsring({"decrypt", (dir / "c.pcap").string(), "-o", (dir / "report").string()});
  INFO(r.err);
  CHECK(r.exit_status == 2);
  CHECK_THAT(r.err, Catch::Contains((dir / "report").string()) && Catch::Contains("not a directory"));
  CHECK(read_file(dir / "report") == "not a directory\n");
}

TEST_CASE("decrypt outputs: a second run into the same directory leaves nothing stale") {
  TempDir dir;
  const Generated first = generate(dir / "gen1", {"--sessions", "3", "--ciphers", "AES128-GCM-SHA256", "--quiet"});
  const Generated second =
      generate(dir / "gen2", {"--sessions", "1", "--ciphers", "AES128-GCM-SHA256", "--seed", "2", "--quiet"});
  const fs::path out = dir / "out";
  const ChildResult r1 = run_tlsring(
      {"decrypt", first.capture.string(), "--key", (first.dir / "server.key.pem").string(), "-o", out.string()});
  REQUIRE(r1.exit_status == 0);
  REQUIRE(read_sessions(out).size() == 3);
  REQUIRE(std::distance(fs::directory_iterator(out / "connections"), fs::directory_iterator()) == 9);
  const ChildResult r2 = run_tlsring(
      {"decrypt", second.capture.string(), "--key", (second.dir / "server.key.pem").string(), "-o", out.string()});
  INFO(r2.err);
  if (r2.exit_status == 0) {
    const auto sessions = read_sessions(out);
    CHECK(sessions.size() == 1);
    check_files_accounted_for(out, sessions);
  } else {
    // Refusing a used directory is fine too, as long as it says so.
    CHECK((r2.exit_status == 1 || r2.exit_status == 2));
    CHECK_THAT(r2.err, Catch::Contains(out.string()));
  }
}
