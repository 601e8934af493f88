// Runs a program as a child process, the way a user's shell would, and
// captures what it printed and how it exited. Tests only.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tlsring::clitest {

struct ChildOptions {
  // Environment changes on top of the test's own environment: a value sets
  // the variable, nullopt removes it.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  std::optional<mode_t> umask;  // applied in the child before exec
  std::string cwd;              // empty: the test's working directory
};

struct ChildResult {
  int exit_status = -1;  // the exit status; -1 when the child was killed by a signal
  std::string out;       // everything written to stdout
  std::string err;       // everything written to stderr
};

// argv[0] is a path or a name looked up in PATH. Fails the current test (a
// Catch2 REQUIRE) when the child cannot be started; an exec failure in the
// child shows as exit status 127 with the reason on err.
ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options = {});

// "prog 'arg 1' arg2": the command line, for test failure messages.
std::string describe(const std::vector<std::string>& argv);

}  // namespace tlsring::clitest
