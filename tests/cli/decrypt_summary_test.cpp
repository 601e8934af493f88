// The summary's "keys used" line: decrypted connections by where their keys
// came from, most used first, ties in name order. What it says of the capture
// files read, with the warnings the service lists bounded.
#include <catch2/catch.hpp>

#include "daemon/cli/decrypt_summary.h"
#include "tests/support/temp_dir.h"

using tlsring::cli::FilesRead;
using tlsring::cli::format_keys_used;
using tlsring::cli::format_summary;

TEST_CASE("decrypt summary: keys used, most used first") {
  CHECK(format_keys_used({}).empty());
  CHECK(format_keys_used({{"key log", 1}}) == "key log 1");
  CHECK(format_keys_used({{"RSA key b.pem", 2},
                          {"key log", 30},
                          {"RSA key a.pem", 2},
                          {"session cache (ticket)", 400}}) ==
        "session cache (ticket) 400, key log 30, RSA key a.pem 2, RSA key b.pem 2");
}

TEST_CASE("decrypt summary: files and packets added up, warnings past the number listed only counted") {
  tlsring::testing::TempDir dir;
  auto output = tlsring::output::DirectoryOutput::create(dir.path() / "out", {});
  REQUIRE(output.ok());
  auto file = [](std::uint64_t packets, std::vector<std::string> warnings) {
    tlsring::decrypt::FileSummary summary;
    summary.packets = packets;
    summary.warnings = std::move(warnings);
    return summary;
  };

  FilesRead all;  // tlsring decrypt: every warning
  FilesRead service(2);
  for (FilesRead* read : {&all, &service}) {
    read->add(file(10, {"first"}));
    read->add(file(20, {}));
    read->add(file(30, {"second", "third"}));
    read->add(file(40, {"fourth"}));
  }
  CHECK(service.files == 4);
  CHECK(service.packets == 100);
  CHECK(service.warnings == std::vector<std::string>{"first", "second"});
  CHECK(service.warnings_not_listed == 2);

  const std::string listed = format_summary("tlsring run", service, **output);
  CHECK_THAT(listed, Catch::StartsWith("tlsring run: 4 capture file(s), 100 packets, 0 connection(s)\n"));
  CHECK_THAT(listed, Catch::Contains("  warning: first\n  warning: second\n  2 more warning(s), not listed here: "
                                     "each capture file's report (files/NAME.txt) has its own\n"));
  CHECK_THAT(listed, !Catch::Contains("third"));

  const std::string every = format_summary("tlsring decrypt", all, **output);
  CHECK_THAT(every, Catch::Contains("  warning: first\n  warning: second\n  warning: third\n  warning: fourth\n"));
  CHECK_THAT(every, !Catch::Contains("not listed"));
}
