// process.h and file_access.h on Linux.
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/platform/file_access.h"
#include "daemon/platform/process.h"

namespace tlsring::platform {

std::int64_t current_process_id() { return ::getpid(); }

bool process_is_running(std::int64_t pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0; }

void set_file_creation_mask(unsigned mask) { ::umask(static_cast<mode_t>(mask)); }

bool running_as_root() { return ::geteuid() == 0; }

std::optional<std::string> capability_status_text() {
  std::ifstream in("/proc/self/status");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void name_current_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

std::optional<std::string> lower_current_thread_priority() {
  // Linux takes a thread id for PRIO_PROCESS: the nice value is per thread.
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10) == 0) return std::nullopt;
  return std::string("setpriority: ") + std::strerror(errno);
}

void release_pages(void* begin, std::size_t size) {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (start + page - 1) & ~(page - 1);
  const std::uintptr_t last = (start + size) & ~(page - 1);
  if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void release_free_heap() {
#ifdef __GLIBC__
  (void)::malloc_trim(0);
#endif
}

void write_standard_error(std::string_view text) {
  (void)!::write(STDERR_FILENO, text.data(), text.size());
}

std::optional<int> reload_signal() { return SIGHUP; }

std::tm utc_calendar_time(std::time_t seconds) {
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

bool may_create_files_in(const std::filesystem::path& directory) {
  return ::access(directory.c_str(), W_OK | X_OK) == 0;
}

std::optional<bool> same_filesystem(const std::filesystem::path& a, const std::filesystem::path& b) {
  struct stat sa {};
  struct stat sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return std::nullopt;
  return sa.st_dev == sb.st_dev;
}

std::optional<std::string> probe_write(const std::filesystem::path& directory) {
  std::string name = (directory / ".tlsring-check-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return std::string(std::strerror(errno));
  ::close(fd);
  if (::unlink(name.c_str()) != 0) return "created " + name + " but cannot remove it: " + std::strerror(errno);
  return std::nullopt;
}

RegularFileState inspect_regular_file(const std::filesystem::path& path) {
  RegularFileState state;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    state.problem = errno == ENOENT ? std::string("no such file") : std::string(std::strerror(errno));
  } else if (!S_ISREG(info.st_mode)) {
    state.problem = "not a regular file";
  } else {
    state.posix_mode = static_cast<unsigned>(info.st_mode);
  }
  return state;
}

std::optional<std::string> service_account_sid(const std::string&) { return std::nullopt; }

}  // namespace tlsring::platform
