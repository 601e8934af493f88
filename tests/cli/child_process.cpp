#include "tests/cli/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <map>

extern char** environ;

namespace tlsring::clitest {
namespace {

// Closes a pipe end on scope exit, whatever happens in between.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::vector<std::string> child_environment(const ChildOptions& options) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto equals = entry.find('=');
    if (equals != std::string::npos) vars[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  for (const auto& [name, value] : options.env) {
    if (value) {
      vars[name] = *value;
    } else {
      vars.erase(name);
    }
  }
  std::vector<std::string> entries;
  for (const auto& [name, value] : vars) entries.push_back(name + "=" + value);
  return entries;
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, int err_fd,
                             const ChildOptions& options) {
  if (options.umask) ::umask(*options.umask);
  if (::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) ::_exit(127);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
    const char msg[] = "run_child: cannot chdir\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::execvpe(argv[0], argv, envp);
  const char* reason = std::strerror(errno);
  const char msg[] = "run_child: cannot exec: ";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)!::write(STDERR_FILENO, reason, std::strlen(reason));
  ::_exit(127);
}

}  // namespace

ChildResult run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
  REQUIRE_FALSE(argv.empty());
  // Everything the child needs is built before fork.
  std::vector<std::string> args = argv;
  std::vector<char*> arg_ptrs;
  for (auto& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  std::vector<std::string> env = child_environment(options);
  std::vector<char*> env_ptrs;
  for (auto& e : env) env_ptrs.push_back(e.data());
  env_ptrs.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  REQUIRE(::pipe2(out_pipe, O_CLOEXEC) == 0);
  Fd out_read{out_pipe[0]}, out_write{out_pipe[1]};
  REQUIRE(::pipe2(err_pipe, O_CLOEXEC) == 0);
  Fd err_read{err_pipe[0]}, err_write{err_pipe[1]};

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) exec_child(arg_ptrs.data(), env_ptrs.data(), out_write.fd, err_write.fd, options);
  out_write.reset();
  err_write.reset();

  // Read both pipes together, so that a child filling one cannot block.
  ChildResult result;
  pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {err_read.fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      FAIL("poll: " << std::strerror(errno));
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[8192];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // the Fd objects close them
        --open_pipes;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) REQUIRE(errno == EINTR);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string describe(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& a : argv) {
    if (!text.empty()) text += ' ';
    const bool plain = !a.empty() && a.find_first_of(" '\"\\$`*?;&|<>()") == std::string::npos;
    text += plain ? a : "'" + a + "'";
  }
  return text;
}

}  // namespace tlsring::clitest
