// KeyLogFollower on a real file that a test writes the way a client with
// SSLKEYLOGFILE does: line by line while the service runs, from before or
// after the service starts, sometimes cut or replaced.
#include "daemon/service/key_log_follower.h"

#include <catch2/catch.hpp>

#include <fstream>

#ifndef _WIN32
#include <unistd.h>

#include "tests/support/as_nobody.h"
#endif
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using namespace tlsring;
using tlsring::daemon::KeyLogFollower;

namespace {

std::string client_random(int n) { return std::string(62, '0') + (n < 10 ? "0" : "") + std::to_string(n); }
std::string line(int n) { return "CLIENT_RANDOM " + client_random(n) + " " + std::string(96, 'a') + "\n"; }

std::vector<std::uint8_t> bytes_of(const std::string& hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

bool holds(const keys::KeyLog& log, int n) { return log.find(bytes_of(client_random(n))) != nullptr; }

void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

// A key log of two lines, read once.
struct TwoLinesRead {
  TwoLinesRead() {
    append(path, line(1) + line(2));
    REQUIRE(follower.look(log).added == 2);
  }
  tlsring::testing::TempDir dir;
  std::filesystem::path path = dir.path() / "client.keys";
  KeyLogFollower follower{{path}};
  keys::KeyLog log;
};

}  // namespace

TEST_CASE("key log follower: lines written after the start are read at the next look, a line being written later") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "client.keys";
  append(path, line(1));
  KeyLogFollower follower({path});
  keys::KeyLog log;
  KeyLogFollower::Look look = follower.look(log);
  CHECK(look.added == 1);
  CHECK(look.warnings.empty());
  CHECK(holds(log, 1));

  append(path, line(2) + line(3).substr(0, 50));  // the third is being written
  look = follower.look(log);
  CHECK(look.added == 1);
  CHECK(holds(log, 2));
  CHECK_FALSE(holds(log, 3));
  append(path, line(3).substr(50));
  look = follower.look(log);
  CHECK(look.added == 1);
  CHECK(holds(log, 3));
  // Nothing new: nothing read, nothing said.
  look = follower.look(log);
  CHECK(look.added == 0);
  CHECK(look.warnings.empty());
  CHECK(log.size() == 3);
}

TEST_CASE("key log follower: a bad line is told with its line number and the rest still count") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "client.keys";
  append(path, line(1) + "CLIENT_RANDOM " + client_random(2) + " 12\n" + line(3));
  KeyLogFollower follower({path});
  keys::KeyLog log;
  const KeyLogFollower::Look look = follower.look(log);
  CHECK(look.added == 2);
  REQUIRE(look.warnings.size() == 1);
  CHECK_THAT(look.warnings[0], Catch::StartsWith("key log line skipped: " + path.string() + ":2: "));
  append(path, "CLIENT_RANDOM " + client_random(4) + " zz\n");
  const KeyLogFollower::Look later = follower.look(log);
  REQUIRE(later.warnings.size() == 1);
  CHECK_THAT(later.warnings[0], Catch::StartsWith("key log line skipped: " + path.string() + ":4: "));
  // The summary counts them, and names the first.
  const auto summary = follower.summary_lines();
  REQUIRE(summary.size() == 1);
  CHECK_THAT(summary[0], Catch::StartsWith("key log " + path.string() + ": 2 secret(s) read, 2 bad line(s) skipped "
                                           "(the first: " + path.string() + ":2: "));
}

TEST_CASE("key log follower: past the first bad lines of a key log they are counted, not told") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "not-a-key-log.txt";
  std::string text;
  for (int i = 0; i < 12; ++i) text += "CLIENT_RANDOM " + client_random(i) + " 00\n";
  append(path, text);
  KeyLogFollower follower({path});
  keys::KeyLog log;
  const KeyLogFollower::Look look = follower.look(log);
  REQUIRE(look.warnings.size() == KeyLogFollower::kBadLinesTold);
  CHECK_THAT(look.warnings.back(), Catch::EndsWith("(further bad lines of " + path.string() +
                                                   " are counted in the summary, not told)"));
  CHECK_THAT(follower.summary_lines().at(0), Catch::Contains(": 0 secret(s) read, 12 bad line(s) skipped"));
}

TEST_CASE("key log follower: one that does not exist yet is told once and read from when it appears") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "later.keys";
  KeyLogFollower follower({path});
  keys::KeyLog log;
  KeyLogFollower::Look look = follower.look(log);
  REQUIRE(look.warnings.size() == 1);
  CHECK_THAT(look.warnings[0], Catch::StartsWith("key log " + path.string() + " cannot be read yet (") &&
                                   Catch::EndsWith("it is read again before each capture file is decrypted, from "
                                                   "when it is there"));
  CHECK(follower.look(log).warnings.empty());  // told once
  CHECK_THAT(follower.summary_lines().at(0),
             Catch::StartsWith("key log " + path.string() + ": not found (") &&
                 Catch::EndsWith(") during the run, no secret read from it; what to do: make the client or server "
                                 "write it there while it runs (SSLKEYLOGFILE set in its environment before it "
                                 "starts), or correct decrypt.keylogs"));
  append(path, line(7));
  look = follower.look(log);
  CHECK(look.warnings.empty());
  CHECK(look.notes == std::vector<std::string>{"key log " + path.string() + " is there now: reading it"});
  CHECK(holds(log, 7));
  // Gone again: told once, what was read is kept.
  std::filesystem::remove(path);
  look = follower.look(log);
  REQUIRE(look.warnings.size() == 1);
  CHECK_THAT(look.warnings[0], Catch::Contains(" is gone (") &&
                                   Catch::EndsWith("the secrets read from it so far are kept"));
  CHECK(holds(log, 7));
  CHECK_THAT(follower.summary_lines().at(0),
             Catch::StartsWith("key log " + path.string() + ": 1 secret(s) read; at the last look it was gone ("));
}

TEST_CASE_METHOD(TwoLinesRead, "key log follower: a key log cut or replaced by a shorter one is read again from its "
                 "start") {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << line(3);
  const KeyLogFollower::Look look = follower.look(log);
  REQUIRE(look.warnings.size() == 1);
  CHECK_THAT(look.warnings[0], Catch::Contains("is shorter than before (" + std::to_string(line(3).size()) + " < " +
                                               std::to_string(2 * line(1).size()) + " bytes"));
  CHECK(look.added == 1);
  CHECK(holds(log, 3));
  // Checked from its start (SIGHUP): it only grew, so only the new line is read.
  append(path, line(4));
  follower.check_from_start();
  const KeyLogFollower::Look checked = follower.look(log);
  CHECK(checked.added == 1);
  CHECK(checked.warnings.empty());
  CHECK(log.size() == 4);
}

TEST_CASE("key log follower: checked from its start (SIGHUP), one that only grew is read on where it was") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "client.keys";
  append(path, line(1) + "CLIENT_RANDOM 00\n" + line(2));
  KeyLogFollower follower({path});
  keys::KeyLog log;
  KeyLogFollower::Look look = follower.look(log, 1);
  CHECK(look.added == 2);
  REQUIRE(look.warnings.size() == 1);  // the bad line 2
  // The service let go of the secrets of files already decrypted.
  CHECK(log.forget_tagged_below(2) == 2);
  CHECK(log.size() == 0);

  SECTION("grown in place") { append(path, line(3)); }
  SECTION("replaced by a copy with a line more (a rename over it)") {
    const auto copy = dir.path() / "client.keys.new";
    std::filesystem::copy_file(path, copy);
    append(copy, line(3));
    std::filesystem::rename(copy, path);
  }
  follower.check_from_start();
  look = follower.look(log, 2);
  // Neither the secrets let go of nor the bad line come back.
  CHECK(look.added == 1);
  CHECK(look.warnings.empty());
  CHECK(holds(log, 3));
  CHECK_FALSE(holds(log, 1));
  CHECK(log.size() == 1);
  const std::vector<std::string> summary = follower.summary_lines();
  REQUIRE(summary.size() == 1);
  CHECK_THAT(summary[0], Catch::Contains(": 3 secret(s) read, 1 bad line(s) skipped (the first: "));
  // Nothing new since: the next look reads nothing.
  CHECK(follower.look(log, 2).added == 0);
}

TEST_CASE_METHOD(TwoLinesRead, "key log follower: checked from its start (SIGHUP), one replaced by other content is "
                 "read again") {

  std::string replacement;
  std::size_t expected_added = 0;
  SECTION("as long as before, which its size does not tell") {
    replacement = line(5) + line(6);
    expected_added = 2;
  }
  SECTION("longer, its first line one already known") {
    replacement = line(1) + line(7) + line(8);
    expected_added = 2;
  }
  const auto other = dir.path() / "other.keys";
  append(other, replacement);
  std::filesystem::rename(other, path);
  // Without the check the look goes on past the old length, as for growth.
  follower.check_from_start();
  const KeyLogFollower::Look look = follower.look(log);
  REQUIRE(look.warnings.size() == 1);
  CHECK_THAT(look.warnings[0], Catch::Contains("key log " + path.string() + " was replaced: its first " +
                                               std::to_string(2 * line(1).size()) +
                                               " bytes are not the ones read before: read again from its start"));
  CHECK(look.added == expected_added);
  CHECK(log.size() == 2 + expected_added);
  // Read once: the next look finds it as it was left.
  CHECK(follower.look(log).added == 0);
  CHECK(follower.look(log).warnings.empty());
}

TEST_CASE("key log follower: a last line without a newline is read once the file stops growing") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / "by-hand.keys";
  std::string last = line(2);
  last.pop_back();
  append(path, line(1) + last);
  KeyLogFollower follower({path});
  keys::KeyLog log;
  CHECK(follower.look(log).added == 1);  // the last line may still be being written
  CHECK_FALSE(holds(log, 2));
  const KeyLogFollower::Look settled = follower.look(log);  // not grown since: it is whole
  CHECK(settled.added == 1);
  CHECK(settled.warnings.empty());
  CHECK(holds(log, 2));
  // The writer goes on after all: its newline is an empty line, the next line counts.
  append(path, "\n" + line(3));
  const KeyLogFollower::Look more = follower.look(log);
  CHECK(more.added == 1);
  CHECK(more.warnings.empty());
  CHECK(holds(log, 3));
  CHECK(log.size() == 3);
}

#ifndef _WIN32
TEST_CASE("key log follower: one the service's user cannot open is told once, with what to do") {
  // Needs a user that cannot read a file root can: root runs the look as nobody, in a child.
  if (::geteuid() != 0) {
    tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                "needs root, to look as another user (nobody)");
  }
  tlsring::testing::TempDir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
  const auto path = dir.path() / "root-only.keys";
  append(path, line(1));
  std::filesystem::permissions(path, std::filesystem::perms(0600));
  const std::string said = tlsring::testing::run_as_nobody([&] {
    KeyLogFollower follower({path});
    keys::KeyLog log;
    std::string warnings;
    for (int i = 0; i < 2; ++i) {
      for (const auto& w : follower.look(log).warnings) warnings += w + "\n";
    }
    warnings += follower.summary_lines().at(0) + "\n";
    return log.size() == 0 ? warnings : "read as nobody: " + warnings;
  });
  INFO(said);
  CHECK(said == "key log " + path.string() + " cannot be opened (Permission denied): let the user the service runs "
                "as read it; it is tried again before each capture file is decrypted\n"
                "key log " + path.string() + ": 0 secret(s) read; at the last look it was not readable by the "
                "service's user (Permission denied): let the user the service runs as read it\n");
}
#endif
