// KeyLog on Wireshark's key-log files and tshark's session-keys.txt exports,
// and on hand-written lines for every accepted and refused form.
#include "core/keys/key_log.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_support.h"

using tlsring::keys::format_client_random_line;
using tlsring::keys::KeyLog;
using tlsring::keys::Secret;
using namespace tlsring::keys::test;

namespace {

// A hex string of `digits` digits built from one repeated pair.
std::string hex_of(std::size_t digits, const char* pair = "ab") {
  std::string out;
  while (out.size() < digits) out += pair;
  out.resize(digits);
  return out;
}

// Re-reads a key-log text the simplest way (label and two fields split on
// blanks) and checks that `log` returns each secret for its lookup value.
void check_every_line_is_found(const KeyLog& log, const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string label, first, second;
    fields >> label >> first >> second;
    if (label.empty() || label[0] == '#') continue;
    INFO(line);
    if (label == "RSA" && first.rfind("Session-ID:", 0) == 0) {
      const auto master = log.find_by_session_id(from_hex(first.substr(11)));
      REQUIRE(master);
      CHECK(*master == from_hex(second.substr(11)));
      continue;
    }
    if (label == "RSA") {
      Bytes ciphertext = from_hex(first);
      ciphertext.resize(128, 0x5a);  // the rest of an encrypted premaster
      const auto premaster = log.find_rsa_premaster(ciphertext);
      REQUIRE(premaster);
      CHECK(*premaster == from_hex(second));
      continue;
    }
    const auto* secrets = log.find(from_hex(first));
    REQUIRE(secrets != nullptr);
    const std::optional<Secret>* slot = nullptr;
    if (label == "CLIENT_RANDOM") slot = &secrets->master_secret;
    if (label == "CLIENT_EARLY_TRAFFIC_SECRET") slot = &secrets->client_early_traffic_secret;
    if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET") slot = &secrets->client_handshake_traffic_secret;
    if (label == "SERVER_HANDSHAKE_TRAFFIC_SECRET") slot = &secrets->server_handshake_traffic_secret;
    if (label == "CLIENT_TRAFFIC_SECRET_0") slot = &secrets->client_traffic_secret_0;
    if (label == "SERVER_TRAFFIC_SECRET_0") slot = &secrets->server_traffic_secret_0;
    REQUIRE(slot != nullptr);
    REQUIRE(slot->has_value());
    CHECK(**slot == from_hex(second));
  }
}

}  // namespace

TEST_CASE("every key-log file among the Wireshark fixtures parses completely") {
  // Expected counts were taken with grep on the files: CLIENT_RANDOM lines,
  // "RSA " lines and TLS 1.3 *_SECRET lines; no file repeats a label and
  // client random (checked with awk '{print $1, $2}' | sort -u).
  const std::pair<const char*, std::size_t> files[] = {
      {"keys/dhe1_keylog.dat", 1},                     // 1 CLIENT_RANDOM, upper-case hex, a comment
      {"keys/http2-brotli.dsb.keys", 1},               // 1 CLIENT_RANDOM, upper-case hex
      {"keys/http2-data-reassembly.keys", 1},          // 1 CLIENT_RANDOM, no final newline
      {"keys/tls12-chacha20poly1305.keys", 8},         // 7 CLIENT_RANDOM + 1 RSA
      {"keys/tls12-dsb-1.keys", 1},                    // 1 CLIENT_RANDOM
      {"keys/tls12-dsb-2.keys", 1},                    // 1 CLIENT_RANDOM
      {"keys/tls13-20-chacha20poly1305.keys", 8},      // 2 connections x 4 TLS 1.3 secrets
      {"keys/tls13-rfc8446.keys", 9},                  // 8 + 1 CLIENT_EARLY_TRAFFIC_SECRET
      {"keys/tls13-rfc8446-noearly.keys", 8},          // 2 x 4
      {"captures/dmgr.expected/session-keys.txt", 2},  // 1 RSA Session-ID + 1 CLIENT_RANDOM
      {"captures/rsasnakeoil2.expected/session-keys.txt", 5},  // 2 RSA Session-ID + 3 CLIENT_RANDOM
      {"captures/tls12-aes128ccm.expected/session-keys.txt", 2},
      {"captures/tls12-aes256gcm.expected/session-keys.txt", 2},
  };
  for (const auto& [name, count] : files) {
    INFO(name);
    const auto path = fixtures_dir() / name;
    KeyLog log;
    const auto status = log.add_file(path);
    REQUIRE(status.ok());
    CHECK(log.size() == count);
    CHECK(log.skipped_lines() == 0);
    check_every_line_is_found(log, read_text(path));
  }
}

TEST_CASE("fixture specifics: RSA line, upper-case hex, no final newline, session ids, TLS 1.3 early secret") {
  KeyLog log;
  // tls12-chacha20poly1305.keys holds "RSA 3e2ffbd86d10f694 0303f4d5b30f42e5...".
  REQUIRE(log.add_file(fixtures_dir() / "keys" / "tls12-chacha20poly1305.keys").ok());
  const auto premaster = log.find_rsa_premaster(from_hex("3e2ffbd86d10f694" + hex_of(240)));
  REQUIRE(premaster);
  CHECK(to_hex(*premaster).rfind("0303f4d5b30f42e5df09d7d3fe363b4f", 0) == 0);
  CHECK_FALSE(log.find_rsa_premaster(from_hex("3e2ffbd86d10f6")));  // fewer than 8 bytes
  CHECK_FALSE(log.find_rsa_premaster(from_hex("3e2ffbd86d10f695" + hex_of(240))));

  // dhe1_keylog.dat is upper case; lookups are by bytes, whatever the case in the file.
  const std::string dhe1 = read_text(fixtures_dir() / "keys" / "dhe1_keylog.dat");
  REQUIRE(dhe1.find("3CC9E5068E674393C10E540430F60AB7") != std::string::npos);
  REQUIRE(log.add_file(fixtures_dir() / "keys" / "dhe1_keylog.dat").ok());
  const auto* dhe = log.find(from_hex("531f88d114fcf9ce9729b5458f73e1807324459029ee4bea43f8ee4ce06c77c0"));
  REQUIRE(dhe != nullptr);
  REQUIRE(dhe->master_secret);
  CHECK(to_hex(*dhe->master_secret).rfind("3cc9e5068e674393c10e540430f60ab7", 0) == 0);

  // http2-data-reassembly.keys ends without a newline.
  const std::string no_newline = read_text(fixtures_dir() / "keys" / "http2-data-reassembly.keys");
  REQUIRE(no_newline.back() != '\n');
  REQUIRE(log.add_file(fixtures_dir() / "keys" / "http2-data-reassembly.keys").ok());
  const auto* h2 = log.find(from_hex("59b4b71f50e71bff50f88388679c0156714d158bf10edd29f1d45fb4fffb3010"));
  REQUIRE(h2 != nullptr);
  REQUIRE(h2->master_secret);
  CHECK(h2->master_secret->size() == 48);
  CHECK(to_hex(*h2->master_secret) == no_newline.substr(no_newline.size() - 96));

  // rsasnakeoil2's two sessions, by session id (Wireshark's export).
  REQUIRE(log.add_file(fixtures_dir() / "captures" / "rsasnakeoil2.expected" / "session-keys.txt").ok());
  const auto by_id =
      log.find_by_session_id(from_hex("a3caad46955d64bb33ecb5129121a350d2c0c5f667c3cc9ec04a711b92dc5855"));
  REQUIRE(by_id);
  CHECK(to_hex(*by_id).rfind("9841a3275cff659dd194d4136429c481", 0) == 0);

  // tls13-rfc8446.keys: the resumed connection also has an early traffic secret, the first does not.
  REQUIRE(log.add_file(fixtures_dir() / "keys" / "tls13-rfc8446.keys").ok());
  const auto* first = log.find(from_hex("2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df"));
  const auto* resumed = log.find(from_hex("b67947da9d3e4b2ce8acffa975e30aa7ef90f7ec0d39de78db392f38b9a9a41d"));
  REQUIRE(first != nullptr);
  REQUIRE(resumed != nullptr);
  CHECK_FALSE(first->client_early_traffic_secret);
  REQUIRE(resumed->client_early_traffic_secret);
  CHECK(to_hex(*resumed->client_early_traffic_secret).rfind("42c0101fad261571cb8799c86a1", 0) == 0);
  CHECK(first->server_traffic_secret_0->size() == 32);
}

TEST_CASE("blank lines, comments, CRLF, tabs, surrounding blanks, a BOM and mixed-case hex are accepted") {
  const std::string cr1 = hex_of(64, "01");
  const std::string cr2 = hex_of(64, "02");
  const std::string text = "\xEF\xBB\xBF# written by hand\r\n"
                           "\r\n"
                           "   \t  \r\n"
                           "  # an indented comment\r\n"
                           "  CLIENT_RANDOM\t" + cr1 + "   " + hex_of(96, "Aa") + "  \r\n"
                           "SERVER_HANDSHAKE_TRAFFIC_SECRET " + cr2 + " " + hex_of(96, "cD") + "\r\n"  // SHA-384 size
                           "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + cr2 + " " + hex_of(64, "0f");          // no newline
  KeyLog log;
  REQUIRE(log.add_text(text, "hand.keys").ok());
  CHECK(log.size() == 3);
  const auto* one = log.find(from_hex(cr1));
  REQUIRE(one != nullptr);
  CHECK(*one->master_secret == Bytes(48, 0xaa));
  const auto* two = log.find(from_hex(cr2));
  REQUIRE(two != nullptr);
  CHECK(*two->server_handshake_traffic_secret == Bytes(48, 0xcd));
  CHECK(*two->client_handshake_traffic_secret == Bytes(32, 0x0f));
  CHECK_FALSE(two->master_secret);
}

TEST_CASE("unknown labels are skipped and counted, and EXPORTER_SECRET is checked but holds nothing to decrypt with") {
  const std::string cr = hex_of(64, "07");
  const std::string text = "PMS_CLIENT_RANDOM " + cr + " " + hex_of(96) + "\n"
                           "CLIENT_TRAFFIC_SECRET_1 " + cr + " " + hex_of(64) + "\n"
                           "EXPORTER_SECRET " + cr + " " + hex_of(64) + "\n"
                           "CLIENT_RANDOM " + cr + " " + hex_of(96, "12") + "\n";
  KeyLog log;
  REQUIRE(log.add_text(text, "new.keys").ok());
  CHECK(log.skipped_lines() == 2);
  CHECK(log.size() == 1);
  REQUIRE(log.find(from_hex(cr)) != nullptr);
  CHECK(*log.find(from_hex(cr))->master_secret == Bytes(48, 0x12));

  KeyLog bad;
  const auto status = bad.add_text("EXPORTER_SECRET " + cr + " " + hex_of(62) + "\n", "new.keys");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message ==
        "new.keys:1: EXPORTER_SECRET needs <client_random> <secret> as 64 and 64 or 96 hex digits; found 64 and 62 "
        "hex digits");
}

TEST_CASE("a known label with bad fields is an error naming source and line, and nothing of the text is added") {
  const std::string cr = hex_of(64, "3c");
  const std::string master = hex_of(96, "4d");
  const std::pair<std::string, std::string> cases[] = {
      {"CLIENT_RANDOM " + cr + " " + hex_of(94),
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 64 and 94 hex digits"},
      {"CLIENT_RANDOM " + hex_of(63) + " " + master,
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 63 and 96 hex digits"},
      {"CLIENT_RANDOM " + cr,
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 1 field"},
      {"CLIENT_RANDOM " + cr + " " + master + " extra",
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 3 fields"},
      {"CLIENT_RANDOM " + cr.substr(0, 10) + "g" + cr.substr(11) + " " + master,
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 'g' in <client_random>, "
       "which is not a hex digit"},
      {"CLIENT_RANDOM " + cr + " 0x" + master.substr(2),
       "CLIENT_RANDOM needs <client_random> <master_secret> as 64 and 96 hex digits; found 'x' in <master_secret>, "
       "which is not a hex digit"},
      {"SERVER_TRAFFIC_SECRET_0 " + cr + " " + hex_of(40),
       "SERVER_TRAFFIC_SECRET_0 needs <client_random> <secret> as 64 and 64 or 96 hex digits; found 64 and 40 hex "
       "digits"},
      {"CLIENT_EARLY_TRAFFIC_SECRET " + cr + " " + hex_of(80),
       "CLIENT_EARLY_TRAFFIC_SECRET needs <client_random> <secret> as 64 and 64 or 96 hex digits; found 64 and 80 "
       "hex digits"},
      {"RSA " + hex_of(14) + " " + master,
       "RSA needs <encrypted_premaster_prefix> <premaster_secret> as 16 and 96 hex digits; found 14 and 96 hex "
       "digits"},
      {"RSA Session-ID:" + hex_of(66) + " Master-Key:" + master,
       "RSA Session-ID: needs Session-ID:<session_id> Master-Key:<master_secret> as 2 to 64 and 96 hex digits; "
       "found 66 and 96 hex digits"},
      {"RSA Session-ID: Master-Key:" + master,
       "RSA Session-ID: needs Session-ID:<session_id> Master-Key:<master_secret> as 2 to 64 and 96 hex digits; "
       "found 0 and 96 hex digits"},
      {"RSA Session-ID:" + hex_of(64),
       "RSA Session-ID: needs Session-ID:<session_id> Master-Key:<master_secret> as 2 to 64 and 96 hex digits; "
       "found 1 field after RSA"},
      {"RSA Session-ID:" + hex_of(64) + " " + master,
       "RSA Session-ID: needs Session-ID:<session_id> Master-Key:<master_secret> as 2 to 64 and 96 hex digits; "
       "found '" + master.substr(0, 16) + "' where Master-Key: belongs"},
  };
  const std::string good_cr = hex_of(64, "99");
  for (const auto& [bad_line, message] : cases) {
    INFO(bad_line);
    KeyLog log;
    REQUIRE(log.add_text("CLIENT_RANDOM " + hex_of(64, "11") + " " + master + "\n", "earlier.keys").ok());
    // Line 3 is bad (after a comment and a good line, CRLF endings); line 4 is never reached.
    const std::string text = "# comment\r\nCLIENT_RANDOM " + good_cr + " " + master + "\r\n" + bad_line +
                             "\r\nCLIENT_RANDOM " + hex_of(64, "98") + " " + master + "\r\n";
    const auto status = log.add_text(text, "session.keys");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().message == "session.keys:3: " + message);
    CHECK(log.size() == 1);
    CHECK(log.find(from_hex(good_cr)) == nullptr);
    CHECK(log.find(from_hex(hex_of(64, "11"))) != nullptr);
  }
}

TEST_CASE("later lines fill in missing secrets, and a secret already held is kept") {
  const std::string cr = hex_of(64, "5e");
  KeyLog log;
  REQUIRE(log.add_text("CLIENT_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex_of(64, "01") + "\n", "a").ok());
  REQUIRE(log.add_text("SERVER_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex_of(64, "02") + "\n"
                       "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex_of(64, "01") + "\n"   // duplicate
                       "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex_of(64, "03") + "\n",  // conflicting
                       "b")
              .ok());
  CHECK(log.size() == 2);
  const auto* secrets = log.find(from_hex(cr));
  REQUIRE(secrets != nullptr);
  CHECK(*secrets->client_handshake_traffic_secret == Bytes(32, 0x01));
  CHECK(*secrets->server_handshake_traffic_secret == Bytes(32, 0x02));
  CHECK_FALSE(secrets->client_traffic_secret_0);
}

TEST_CASE("add_master_secret and format_client_random_line") {
  Bytes client_random;
  for (int i = 0; i < 32; ++i) client_random.push_back(static_cast<std::uint8_t>(i));
  const Bytes master(48, 0xAB);
  CHECK(format_client_random_line(client_random, master) ==
        "CLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f " + hex_of(96, "ab"));

  KeyLog log;
  CHECK(log.empty());
  log.add_master_secret(client_random, master);
  CHECK(log.size() == 1);
  REQUIRE(log.find(client_random) != nullptr);
  CHECK(*log.find(client_random)->master_secret == master);
  log.add_master_secret(client_random, master);  // the same session again
  CHECK(log.size() == 1);

  // The formatted line reads back.
  KeyLog reread;
  REQUIRE(reread.add_text(format_client_random_line(client_random, master), "written").ok());
  REQUIRE(reread.find(client_random) != nullptr);
  CHECK(*reread.find(client_random)->master_secret == master);
}

TEST_CASE("add_file names the file in its errors") {
  const ScratchDir dir;
  KeyLog log;
  const auto missing = dir.file("absent.keys");
  const auto status = log.add_file(missing);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "cannot open " + missing.string() + ": No such file or directory");

  const std::string text = "CLIENT_RANDOM " + hex_of(64) + " " + hex_of(96) + "\nCLIENT_RANDOM zz\n";
  dir.write("bad.keys", Bytes(text.begin(), text.end()));
  const auto bad = log.add_file(dir.file("bad.keys"));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::StartsWith(dir.file("bad.keys").string() + ":2: CLIENT_RANDOM needs"));
  CHECK(log.empty());
}

TEST_CASE("a key-log file of many read pieces: lines cut between pieces read whole, an error adds nothing") {
  // 3000 lines of 176 bytes: the file is read in 64 KiB pieces, and 64 KiB is
  // not a multiple of the line length, so lines are cut between pieces.
  const auto line_of = [](int i) {
    char random[65];
    char master[97];
    std::snprintf(random, sizeof random, "%064x", i);
    std::snprintf(master, sizeof master, "%08x%088x", 0xfeed0000u + static_cast<unsigned>(i), 7 * i + 1);
    return std::string("CLIENT_RANDOM ") + random + " " + master + "\n";
  };
  std::string text;
  for (int i = 0; i < 3000; ++i) text += line_of(i);
  REQUIRE(text.size() > 8 * 64 * 1024);
  const ScratchDir dir;
  dir.write("many.keys", Bytes(text.begin(), text.end()));

  KeyLog log;
  REQUIRE(log.add_file(dir.file("many.keys")).ok());
  CHECK(log.size() == 3000);
  check_every_line_is_found(log, text);

  // The same text with line 2900 broken, into an empty key log and into one
  // that holds a secret already: the error names the line, nothing is added.
  std::string broken = text;
  const std::size_t at = 2899 * line_of(0).size();
  broken[at + 20] = 'q';
  dir.write("broken.keys", Bytes(broken.begin(), broken.end()));
  KeyLog empty_before;
  const auto status = empty_before.add_file(dir.file("broken.keys"));
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message,
             Catch::StartsWith(dir.file("broken.keys").string() + ":2900: CLIENT_RANDOM needs"));
  CHECK(empty_before.empty());
  CHECK(empty_before.find(from_hex(std::string(64, '0'))) == nullptr);
  // ... and it still takes a good file afterwards.
  REQUIRE(empty_before.add_file(dir.file("many.keys")).ok());
  CHECK(empty_before.size() == 3000);

  KeyLog holding;
  const std::string other = hex_of(64, "e7");
  REQUIRE(holding.add_text("CLIENT_RANDOM " + other + " " + hex_of(96, "d1") + "\n", "first").ok());
  REQUIRE_FALSE(holding.add_file(dir.file("broken.keys")).ok());
  CHECK(holding.size() == 1);
  CHECK(holding.find(from_hex(std::string(64, '0'))) == nullptr);
  REQUIRE(holding.add_file(dir.file("many.keys")).ok());
  CHECK(holding.size() == 3001);
  check_every_line_is_found(holding, text);
}

TEST_CASE("add_whole_lines: a key log read as it grows takes whole lines only, and skips a bad one") {
  const std::string cr1 = hex_of(64, "01");
  const std::string cr2 = hex_of(64, "02");
  const std::string cr3 = hex_of(64, "03");
  const std::string line1 = "CLIENT_RANDOM " + cr1 + " " + hex_of(96, "a1") + "\n";
  const std::string bad = "CLIENT_RANDOM " + cr2 + " 12\n";
  const std::string line3 = "CLIENT_RANDOM " + cr3 + " " + hex_of(96, "a3") + "\n";
  const std::string being_written = "CLIENT_RANDOM " + hex_of(64, "04") + " " + hex_of(40, "a4");
  const std::string text = "\xEF\xBB\xBF# written by a client\n" + line1 + bad + line3 + being_written;
  KeyLog log;
  const KeyLog::GrownLines grown = log.add_whole_lines(text, "client.keys", 1);
  CHECK(grown.consumed == text.size() - being_written.size());
  CHECK(grown.lines == 4);
  CHECK(grown.added == 2);
  REQUIRE(grown.bad_lines.size() == 1);
  CHECK_THAT(grown.bad_lines[0].message, Catch::StartsWith("client.keys:3: "));
  CHECK(log.find(from_hex(cr1)) != nullptr);
  CHECK(log.find(from_hex(cr2)) == nullptr);
  CHECK(log.find(from_hex(cr3)) != nullptr);
  // The line being written, once whole, in the next read: numbered on from where the last stopped.
  const std::string rest = being_written + hex_of(56, "a4") + "\n" + bad;
  const KeyLog::GrownLines next = log.add_whole_lines(rest, "client.keys", 1 + grown.lines);
  CHECK(next.consumed == rest.size());
  CHECK(next.lines == 2);
  CHECK(next.added == 1);
  REQUIRE(next.bad_lines.size() == 1);
  CHECK_THAT(next.bad_lines[0].message, Catch::StartsWith("client.keys:6: "));
  CHECK(log.find(from_hex(hex_of(64, "04"))) != nullptr);
  CHECK(log.size() == 3);
  // No whole line: nothing read.
  const KeyLog::GrownLines none = log.add_whole_lines("CLIENT_RANDOM 0102", "client.keys", 7);
  CHECK(none.consumed == 0);
  CHECK(none.lines == 0);
  CHECK(none.bad_lines.empty());
}

TEST_CASE("add_file_skipping_bad_lines: a whole key log as the service reads it, lines across 64 KiB pieces") {
  // 2000 lines of 178 bytes: many of them cross the 64 KiB pieces the file is read in.
  std::string text = "\xEF\xBB\xBF# a client's key log\n";
  for (int i = 0; i < 2000; ++i) {
    char random[65];
    std::snprintf(random, sizeof random, "%064x", i);
    text += i == 700 || i == 1500 ? "CLIENT_RANDOM " + std::string(random) + " 12\n"
                                  : "CLIENT_RANDOM " + std::string(random) + " " + hex_of(96, "5a") + "\n";
  }
  const std::string last_random = hex_of(64, "fe");
  text += "CLIENT_RANDOM " + last_random + " " + hex_of(96, "5b");  // no newline
  const auto path = std::filesystem::temp_directory_path() / ("tlsring-keylog-" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << text;

  KeyLog log;
  const auto read = log.add_file_skipping_bad_lines(path);
  std::filesystem::remove(path);
  REQUIRE(read.ok());
  CHECK(read->lines == 2002);
  CHECK(read->added == 1999);
  CHECK(read->consumed == text.size());
  REQUIRE(read->bad_lines.size() == 2);
  // Line 1 is the comment: line i + 2 holds client random i.
  CHECK_THAT(read->bad_lines[0].message, Catch::StartsWith(path.string() + ":702: "));
  CHECK_THAT(read->bad_lines[1].message, Catch::StartsWith(path.string() + ":1502: "));
  CHECK(log.size() == 1999);
  CHECK(log.find(from_hex(last_random)) != nullptr);
  CHECK(log.find(from_hex(hex_of(64, "0"))) != nullptr);

  KeyLog none;
  const auto missing = none.add_file_skipping_bad_lines(path);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Catch::Contains("cannot open " + path.string()));
}

TEST_CASE("forget_tagged_below: a key log read for days lets go of the lines tagged earlier") {
  const auto random = [](const char* pair) { return hex_of(64, pair); };
  const auto cr_line = [](const std::string& cr, const std::string& label = "CLIENT_RANDOM") {
    return label + " " + cr + " " + hex_of(label == "CLIENT_RANDOM" ? 96 : 64, "77") + "\n";
  };
  KeyLog log;
  // Given whole at the start: kept forever.
  REQUIRE(log.add_text(cr_line(random("01")), "given.keys").ok());
  // Read as the writers went on: tagged 5, 6 and 7.
  log.add_whole_lines(cr_line(random("05")) + "RSA " + hex_of(16, "e5") + " " + hex_of(96, "55") + "\n", "c.keys", 1, 5);
  log.add_whole_lines(cr_line(random("06"), "CLIENT_HANDSHAKE_TRAFFIC_SECRET") +
                          cr_line(random("06"), "SERVER_HANDSHAKE_TRAFFIC_SECRET"),
                      "c.keys", 3, 6);
  log.add_whole_lines(cr_line(random("07")), "c.keys", 5, 7);
  // A line of tag 5 read again at 7 (a re-read from the start) carries 7 now.
  log.add_whole_lines(cr_line(random("05")), "c.keys", 1, 7);
  REQUIRE(log.size() == 6);

  CHECK(log.forget_tagged_below(5) == 0);
  CHECK(log.forget_tagged_below(7) == 3);  // the RSA premaster (5) and both secrets of 06
  CHECK(log.size() == 3);
  CHECK(log.find(from_hex(random("01"))) != nullptr);
  CHECK(log.find(from_hex(random("05"))) != nullptr);
  CHECK(log.find(from_hex(random("06"))) == nullptr);
  CHECK(log.find(from_hex(random("07"))) != nullptr);
  CHECK_FALSE(log.find_rsa_premaster(from_hex(hex_of(16, "e5") + hex_of(100, "00"))));
  CHECK(log.client_randoms() == 3);
  CHECK(log.forget_tagged_below(8) == 2);
  CHECK(log.size() == 1);
  CHECK(log.find(from_hex(random("01"))) != nullptr);  // the file given at the start stays
  // Forgotten lines read again come back.
  log.add_whole_lines(cr_line(random("07")), "c.keys", 5, 9);
  CHECK(log.size() == 2);
  CHECK(log.find(from_hex(random("07"))) != nullptr);
}

TEST_CASE("add_file with Keep::session_ids keeps only the lines that resume a session by its ID") {
  const std::string session_id = hex_of(64, "5e");
  const std::string text = "CLIENT_RANDOM " + hex_of(64, "01") + " " + hex_of(96, "a1") + "\n" +
                           "RSA Session-ID:" + session_id + " Master-Key:" + hex_of(96, "a2") + "\n" +
                           "CLIENT_RANDOM " + hex_of(64, "03") + " " + hex_of(96, "a3") + "\n";
  const auto path = std::filesystem::temp_directory_path() / ("tlsring-keys-" + std::to_string(::getpid()) + ".log");
  std::ofstream(path, std::ios::binary) << text;
  KeyLog all;
  REQUIRE(all.add_file(path).ok());
  CHECK(all.size() == 3);
  KeyLog resumable;
  REQUIRE(resumable.add_file(path, KeyLog::Keep::session_ids).ok());
  CHECK(resumable.size() == 1);
  CHECK(resumable.find(from_hex(hex_of(64, "01"))) == nullptr);
  const auto master = resumable.find_by_session_id(from_hex(session_id));
  REQUIRE(master);
  CHECK(*master == from_hex(hex_of(96, "a2")));
  // A bad line is still an error, naming it.
  std::ofstream(path, std::ios::binary) << text << "CLIENT_RANDOM " << hex_of(64, "04") << " 12\n";
  KeyLog bad;
  const tlsring::Status loaded = bad.add_file(path, KeyLog::Keep::session_ids);
  std::filesystem::remove(path);
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.error().message, Catch::StartsWith(path.string() + ":4: "));
}

TEST_CASE("session ticket lines: written for the service's next start and read back, nothing else read") {
  const Bytes ticket = from_hex(hex_of(200, "7e"));
  const Bytes master = from_hex(hex_of(96, "4d"));
  const std::string line = tlsring::keys::format_session_ticket_line(ticket, master);
  CHECK(line == "TLSRING_SESSION_TICKET " + hex_of(200, "7e") + " " + hex_of(96, "4d"));
  const auto back = tlsring::keys::parse_session_ticket_line(line + "\r");
  REQUIRE(back.has_value());
  CHECK(back->ticket == ticket);
  CHECK(back->master_secret == master);
  // Other lines, and broken ones, are not tickets.
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line("CLIENT_RANDOM " + hex_of(64) + " " + hex_of(96)));
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line("TLSRING_SESSION_TICKET " + hex_of(200)));
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line("TLSRING_SESSION_TICKET " + hex_of(200) + " " + hex_of(94)));
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line("TLSRING_SESSION_TICKET  " + hex_of(96)));
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line("TLSRING_SESSION_TICKETS " + hex_of(2) + " " + hex_of(96)));
  CHECK_FALSE(tlsring::keys::parse_session_ticket_line(""));
}
