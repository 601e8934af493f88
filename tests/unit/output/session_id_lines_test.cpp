// The "RSA Session-ID:" lines of keys.log: one per session however many
// connections resume it, with the sessions remembered for that bounded
// (RecentKeys), so that a service that runs for days does not grow with every
// session it ever saw.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/output/directory_output.h"
#include "core/keys/key_log.h"
#include "core/recent_keys.h"
#include "tests/support/temp_dir.h"

using tlsring::RecentKeys;
using tlsring::output::DirectoryOutput;
using tlsring::testing::read_lines;

namespace {

std::vector<std::uint8_t> session_id(std::uint32_t n) {
  std::vector<std::uint8_t> id(32, 0x5a);
  for (int i = 0; i < 4; ++i) id[i] = static_cast<std::uint8_t>(n >> (8 * i));
  return id;
}

}  // namespace

TEST_CASE("RecentKeys: a key seen again is not new until it is among the oldest past the capacity") {
  RecentKeys keys(3);
  CHECK(keys.insert("a"));
  CHECK(keys.insert("b"));
  CHECK_FALSE(keys.insert("a"));
  CHECK(keys.insert("c"));
  CHECK(keys.size() == 3);
  CHECK(keys.insert("d"));  // "a" is forgotten, the oldest
  CHECK(keys.size() == 3);
  CHECK_FALSE(keys.insert("b"));
  CHECK_FALSE(keys.insert("d"));
  CHECK(keys.insert("a"));  // new again; now "b" is forgotten
  CHECK(keys.insert("b"));
  CHECK(keys.size() == 3);
  // Many keys: the set rehashes many times, the order it keeps stays right.
  RecentKeys many(1000);
  int fresh = 0;
  for (int i = 0; i < 100000; ++i) fresh += many.insert(std::to_string(i)) ? 1 : 0;
  CHECK(fresh == 100000);
  CHECK(many.size() == 1000);
  CHECK_FALSE(many.insert("99000"));
  CHECK(many.insert("98999"));
}

TEST_CASE("keys.log: one Session-ID line per session among the recent ones, a forgotten one written again") {
  tlsring::testing::TempDir dir;
  const std::vector<std::uint8_t> master(48, 0x11);
  const std::size_t remembered = DirectoryOutput::kSessionIdsRemembered;
  {
    auto output = DirectoryOutput::create(dir.path() / "out", {});
    REQUIRE(output.ok());
    DirectoryOutput& out = *output.value();
    out.on_session_id(session_id(0), master);
    out.on_session_id(session_id(0), master);  // resumed: no second line
    for (std::uint32_t n = 1; n <= remembered; ++n) out.on_session_id(session_id(n), master);
    out.on_session_id(session_id(remembered), master);  // still remembered
    out.on_session_id(session_id(0), master);           // forgotten: its line again
    REQUIRE(out.finish().ok());
  }
  const std::vector<std::string> lines = read_lines(dir.path() / "out" / "keys.log");
  REQUIRE(lines.size() == remembered + 2);
  const std::string first = tlsring::keys::format_session_id_line(session_id(0), master);
  CHECK(lines.front() == first);
  CHECK(lines.back() == first);
  CHECK(std::count(lines.begin(), lines.end(), first) == 2);
  CHECK(lines[remembered] == tlsring::keys::format_session_id_line(session_id(remembered), master));
}
