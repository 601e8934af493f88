// quote_windows_argument and service_command_line, checked two ways: against
// hand-written expectations from Microsoft's documented rules, and by taking
// the results apart again with a parser written here from those rules
// (Microsoft, "Parsing C++ command-line arguments"), not from the quoting code.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "daemon/platform/windows_command_line.h"

using tlsring::platform::quote_windows_argument;
using tlsring::platform::service_command_line;

namespace {

// The C runtime's split of a command line. argv[0] (the program) is read up
// to the closing quote or the first space, without backslash rules; the rest:
// 2n backslashes + '"' -> n backslashes, the quote toggles quoting; 2n+1
// backslashes + '"' -> n backslashes and a literal '"'; other backslashes are
// literal; in quotes, '""' is a literal '"' (the post-2008 runtime rule).
std::vector<std::string> split_command_line(const std::string& line) {
  std::vector<std::string> argv;
  std::size_t i = 0;
  std::string program;
  if (i < line.size() && line[i] == '"') {
    ++i;
    while (i < line.size() && line[i] != '"') program += line[i++];
    if (i < line.size()) ++i;
  } else {
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') program += line[i++];
  }
  argv.push_back(program);
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string argument;
    bool quoted = false;
    while (i < line.size()) {
      const char c = line[i];
      if (!quoted && (c == ' ' || c == '\t')) break;
      if (c == '\\') {
        std::size_t backslashes = 0;
        while (i < line.size() && line[i] == '\\') ++backslashes, ++i;
        if (i < line.size() && line[i] == '"') {
          argument.append(backslashes / 2, '\\');
          if (backslashes % 2 == 1) {
            argument += '"';
            ++i;
          }
        } else {
          argument.append(backslashes, '\\');
        }
        continue;
      }
      if (c == '"') {
        if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
          argument += '"';
          i += 2;
          continue;
        }
        quoted = !quoted;
        ++i;
        continue;
      }
      argument += c;
      ++i;
    }
    argv.push_back(argument);
  }
  return argv;
}

}  // namespace

TEST_CASE("command line: the test's parser follows Microsoft's examples") {
  // The table of "Parsing C++ command-line arguments" (program name "p" added).
  CHECK(split_command_line(R"(p "abc" d e)") == std::vector<std::string>{"p", "abc", "d", "e"});
  CHECK(split_command_line(R"(p a\\b d"e f"g h)") == std::vector<std::string>{"p", R"(a\\b)", "de fg", "h"});
  CHECK(split_command_line(R"(p a\\\"b c d)") == std::vector<std::string>{"p", R"(a\"b)", "c", "d"});
  CHECK(split_command_line(R"(p a\\\\"b c" d e)") == std::vector<std::string>{"p", R"(a\\b c)", "d", "e"});
  CHECK(split_command_line(R"(p a"b"" c d)") == std::vector<std::string>{"p", R"(ab" c d)"});
}

TEST_CASE("command line: quoting, expected values by hand") {
  struct Case {
    std::string argument;
    std::string quoted;
  };
  const Case cases[] = {
      {"abc", "abc"},
      {R"(C:\ProgramData\tlsring\tlsring.yaml)", R"(C:\ProgramData\tlsring\tlsring.yaml)"},  // backslashes stay
      {"", R"("")"},
      {"a b", R"("a b")"},
      {"a\tb", "\"a\tb\""},
      {R"(C:\Program Files\tlsring\tlsring.yaml)", R"("C:\Program Files\tlsring\tlsring.yaml")"},
      {R"(C:\Program Files\tlsring\)", R"("C:\Program Files\tlsring\\")"},  // trailing backslash doubled
      {R"(C:\a b\\)", R"("C:\a b\\\\")"},
      {R"(a"b)", R"("a\"b")"},
      {R"(a\"b)", R"("a\\\"b")"},
      {R"(a\\"b)", R"("a\\\\\"b")"},
  };
  for (const Case& c : cases) {
    INFO(c.argument);
    CHECK(quote_windows_argument(c.argument) == c.quoted);
  }
}

TEST_CASE("command line: every quoted argument reads back unchanged") {
  std::vector<std::string> arguments = {"", " ", "\\", "\\\\", "\"", "\\\"", "a\\", "a b\\", "\"\"", "a\"\"b",
                                        R"(C:\Program Files (x86)\tlsring\)", "x\\\\\\\"y z"};
  // And a few hundred made of the characters the rules care about (fixed seed).
  std::mt19937 random(20240611);
  const std::string alphabet = "a \t\"\\";
  for (int n = 0; n < 500; ++n) {
    std::string argument;
    const int length = static_cast<int>(random() % 12);
    for (int k = 0; k < length; ++k) argument += alphabet[random() % alphabet.size()];
    arguments.push_back(argument);
  }
  for (const std::string& argument : arguments) {
    const std::string line = "p " + quote_windows_argument(argument) + " next";
    INFO(line);
    CHECK(split_command_line(line) == std::vector<std::string>{"p", argument, "next"});
  }
}

TEST_CASE("command line: the service's command line") {
  auto plain = service_command_line(R"(C:\Program Files\tlsring\tlsring.exe)", R"(C:\ProgramData\tlsring\tlsring.yaml)");
  REQUIRE(plain.ok());
  CHECK(*plain == R"("C:\Program Files\tlsring\tlsring.exe" run -c C:\ProgramData\tlsring\tlsring.yaml)");
  CHECK(split_command_line(*plain) == std::vector<std::string>{R"(C:\Program Files\tlsring\tlsring.exe)", "run", "-c",
                                                               R"(C:\ProgramData\tlsring\tlsring.yaml)"});

  // The program is quoted even without a space (no unquoted service path).
  auto spaced = service_command_line(R"(C:\tlsring\tlsring.exe)", R"(D:\capture config\site a.yaml)");
  REQUIRE(spaced.ok());
  CHECK(*spaced == R"("C:\tlsring\tlsring.exe" run -c "D:\capture config\site a.yaml")");
  CHECK(split_command_line(*spaced) ==
        std::vector<std::string>{R"(C:\tlsring\tlsring.exe)", "run", "-c", R"(D:\capture config\site a.yaml)"});
}

TEST_CASE("command line: paths no Windows path can be are refused") {
  auto quote = service_command_line(R"(C:\a"b\tlsring.exe)", R"(C:\c.yaml)");
  REQUIRE_FALSE(quote.ok());
  CHECK_THAT(quote.error().message, Catch::Contains("executable") && Catch::Contains("'\"'"));
  auto empty = service_command_line(R"(C:\tlsring.exe)", "");
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains("configuration file's path is empty"));
  auto control = service_command_line(R"(C:\tlsring.exe)", "C:\\c\n.yaml");
  REQUIRE_FALSE(control.ok());
  CHECK_THAT(control.error().message, Catch::Contains("control character"));
}
