// DecryptedLedger on a real file: names marked survive a restart, the names
// of files gone are let go of at the start, and the names of files the ring
// deleted are let go of during the run, the file rewritten once they are
// many, so that a run of days does not grow it with every capture file.
#include "daemon/service/decrypted_ledger.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

using tlsring::daemon::DecryptedLedger;
using tlsring::testing::read_lines;

namespace {

std::string name_of(int n) { return "tlsring-20261208-000000-" + std::to_string(100000 + n) + ".pcapng"; }

}  // namespace

TEST_CASE("decrypted ledger: names marked are there after a restart, those of files gone are let go of") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / ".decrypted";
  {
    auto ledger = DecryptedLedger::open(path);
    REQUIRE(ledger.ok());
    for (int n = 0; n < 3; ++n) REQUIRE((*ledger)->mark(name_of(n)).ok());
    REQUIRE((*ledger)->mark(name_of(1)).ok());  // marked once
  }
  CHECK(read_lines(path) == std::vector<std::string>{name_of(0), name_of(1), name_of(2)});
  dir.write(name_of(1), "");
  auto ledger = DecryptedLedger::open(path);
  REQUIRE(ledger.ok());
  CHECK((*ledger)->size() == 3);
  REQUIRE((*ledger)->forget_missing(dir.path()).ok());
  CHECK((*ledger)->size() == 1);
  CHECK((*ledger)->contains(name_of(1)));
  CHECK_FALSE((*ledger)->contains(name_of(0)));
  CHECK(read_lines(path) == std::vector<std::string>{name_of(1)});
}

TEST_CASE("decrypted ledger: the names of files the ring deleted are let go of, the file rewritten when they are many") {
  tlsring::testing::TempDir dir;
  const auto path = dir.path() / ".decrypted";
  auto opened = DecryptedLedger::open(path);
  REQUIRE(opened.ok());
  DecryptedLedger& ledger = **opened;
  const int kept = 50;  // a ring of 50 files
  const int files = static_cast<int>(DecryptedLedger::kForgottenKeptOnDisk) + kept + 1;
  std::size_t longest = 0;
  for (int n = 0; n < files; ++n) {
    REQUIRE(ledger.mark(name_of(n)).ok());
    if (n >= kept) REQUIRE(ledger.forget(name_of(n - kept)).ok());
    longest = std::max(longest, read_lines(path).size());
  }
  CHECK(ledger.size() == static_cast<std::size_t>(kept));
  // Rewritten once past kForgottenKeptOnDisk forgotten names: never longer than that plus the ring.
  CHECK(longest == DecryptedLedger::kForgottenKeptOnDisk + kept);
  const std::vector<std::string> lines = read_lines(path);
  REQUIRE(lines.size() == static_cast<std::size_t>(kept));
  CHECK(lines.front() == name_of(files - kept));
  CHECK(lines.back() == name_of(files - 1));
  CHECK(ledger.contains(name_of(files - 1)));
  CHECK_FALSE(ledger.contains(name_of(0)));
  CHECK_FALSE(std::filesystem::exists(dir.path() / ".decrypted.tmp"));
  // A restart reads what the rewrite left.
  auto again = DecryptedLedger::open(path);
  REQUIRE(again.ok());
  CHECK((*again)->size() == static_cast<std::size_t>(kept));
  CHECK((*again)->contains(name_of(files - kept)));
  // Forgetting a name not there changes nothing.
  CHECK(ledger.forget("not-a-capture.pcapng").ok());
  CHECK(ledger.size() == static_cast<std::size_t>(kept));
}
