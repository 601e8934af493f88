// load_config: reading the file (missing, a directory, unreadable, too large),
// source and relative paths from the file's real location.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "config/config_loader.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using tlsring::config::load_config;
using tlsring::testing::TempDir;

TEST_CASE("load_config: a missing file is named, with the reason") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto missing = dir.path() / "etc" / "tlsring.yaml";
  const auto result = load_config(missing);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "cannot read config file " + missing.string() + ": No such file or directory");
  // A path through a regular file: the system's reason is passed on.
  const auto through_file = dir.write("plain", "x") / "tlsring.yaml";
  const auto second = load_config(through_file);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().message == "cannot read config file " + through_file.string() + ": Not a directory");
}

TEST_CASE("load_config: a directory is refused") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto result = load_config(dir.path());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "cannot read config file " + dir.path().string() + ": it is a directory; give the path of the YAML file");
}

TEST_CASE("load_config: an unreadable file is named, with the reason") {
  if (geteuid() == 0) {
    tlsring::testing::skip_test("load_config: an unreadable file",
                                "running as root, which reads files whatever their mode: this test was NOT run");
  }
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto file = dir.write("tlsring.yaml", "capture:\n  snaplen: 100\n");
  std::filesystem::permissions(file, std::filesystem::perms::none);
  const auto result = load_config(file);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "cannot read config file " + file.string() + ": Permission denied");
}

TEST_CASE("load_config: a file over 1MiB is refused") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto file = dir.write("big.yaml", "# " + std::string(1 << 20, 'x') + "\n");
  const auto result = load_config(file);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "cannot read config file " + file.string() + ": it is larger than 1MiB; is it the right file?");
  // Just under the limit is fine (a comment only: every default).
  const auto fits = dir.write("fits.yaml", "#" + std::string((1 << 20) - 2, 'x') + "\n");
  CHECK(load_config(fits).ok());
}

TEST_CASE("load_config: relative paths resolve against the file's directory, source is absolute") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto file = dir.write("etc/tlsring.yaml",
                              "output:\n"
                              "  directory: ../captures\n"
                              "decrypt:\n"
                              "  keys:\n"
                              "    - file: keys/server.pem\n");
  const std::filesystem::path etc = dir.path() / "etc";
  for (const std::filesystem::path& given : {file, std::filesystem::relative(file)}) {
    INFO(given.string());
    const auto result = load_config(given);
    REQUIRE(result.ok());
    CHECK(result->source == file);
    CHECK(result->output.directory == dir.path() / "captures");
    REQUIRE(result->decrypt.keys.size() == 1);
    CHECK(result->decrypt.keys[0].file == etc / "keys" / "server.pem");
    // Marks name the file as the caller gave it.
    CHECK(result->decrypt.keys[0].where.to_string() == given.string() + ":5:7");
  }
}

TEST_CASE("load_config: errors name the file as given") {
  TempDir dir;
  REQUIRE_FALSE(dir.path().empty());
  const auto file = dir.write("tlsring.yaml", "decrypt:\n  workers: 0\n");
  const auto result = load_config(file);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == file.string() + ":2:12: decrypt.workers: 0 is out of range; allowed: 1 to 64");
}
