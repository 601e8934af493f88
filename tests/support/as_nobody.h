// Running a piece of a test as another user: the test process (root) forks a
// child that becomes `nobody` (no supplementary groups, no capabilities) and
// hands back what `work` returned as text. POSIX only.
#pragma once

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace tlsring::testing {

// What `work` returned in the child, or "SETUP: ..." when the child could
// not become nobody or did not end normally.
inline std::string run_as_nobody(const std::function<std::string()>& work) {
  int channel[2];
  if (::pipe(channel) != 0) return "SETUP: no pipe";
  const pid_t child = ::fork();
  if (child < 0) return "SETUP: no fork";
  if (child == 0) {
    ::close(channel[0]);
    std::string report = "SETUP: cannot become nobody";
    if (::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0 &&
        ::setresuid(65534, 65534, 65534) == 0) {
      report = work();
    }
    [[maybe_unused]] auto written = ::write(channel[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(channel[1]);
  std::string report;
  char buffer[512];
  for (ssize_t n; (n = ::read(channel[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
  ::close(channel[0]);
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "SETUP: the child did not end normally; it said: " + report;
  }
  return report;
}

}  // namespace tlsring::testing
