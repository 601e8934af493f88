// The running process and its threads, per OS: mechanism only (which mask,
// which thread name, what a reload does: the caller's policy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace tlsring::platform {

// getpid() / GetCurrentProcessId().
std::int64_t current_process_id();

// Whether process `pid` (> 0) is still there.
//   Linux:   kill(pid, 0) == 0 (a process of another user counts as gone,
//            as it always did: the status file's writer is the same user).
//   Windows: OpenProcess and a zero wait on it: true while it runs, also
//            when only limited access is granted.
bool process_is_running(std::int64_t pid);

// Sets the mask of permission bits new files and directories do not get.
//   Linux:   umask(2).
//   Windows: nothing (new files inherit their directory's ACL).
void set_file_creation_mask(unsigned mask);

// Whether this process runs with the rights to change its user.
//   Linux:   geteuid() == 0.
//   Windows: false: a service runs as the account the Service Control
//            Manager starts it as, and never changes it.
bool running_as_root();

// The text that shows which capabilities this process has in effect (the
// CapEff line), for `tlsring check`.
//   Linux:   /proc/self/status (empty when it cannot be read).
//   Windows: nullopt: there are no capabilities; capturing needs Npcap, and
//            an administrator or the service's account when Npcap restricts
//            its driver to Administrators.
std::optional<std::string> capability_status_text();

// Names the calling thread for debuggers and `top -H` (at most 15 bytes on
// Linux). Failures are ignored.
//   Linux:   pthread_setname_np.  Windows: SetThreadDescription, looked up
//            at run time (Windows 10 1607 and later; elsewhere nothing).
void name_current_thread(const char* name);

// Lowers the calling thread's scheduling priority, for background work that
// must yield to capture and to the host's own services. Returns why it could
// not (a seccomp filter without setpriority answers EPERM), or nothing.
//   Linux:   setpriority(PRIO_PROCESS, thread id, 10) (nice 10).
//   Windows: SetThreadPriority(THREAD_PRIORITY_BELOW_NORMAL).
std::optional<std::string> lower_current_thread_priority();

// Hands the pages inside [begin, begin + size) back to the operating system;
// the memory stays allocated and reads back as zeros (Linux) or as anything
// (Windows) once touched again. Only whole pages inside the range are given
// back. Failures are ignored.
//   Linux:   madvise(MADV_DONTNEED).  Windows: VirtualAlloc(MEM_RESET).
void release_pages(void* begin, std::size_t size);

// Returns memory the C library keeps in its free lists to the operating
// system. Linux (glibc): malloc_trim(0). Windows: _heapmin().
void release_free_heap();

// Writes `text` to file descriptor 2 in one unbuffered call (write(2) /
// _write), as journald wants each line whole. Failures are ignored.
void write_standard_error(std::string_view text);

// The signal that asks the service to reload its keys: SIGHUP on Linux; none
// on Windows (the Service Control Manager's PARAMCHANGE reaches
// ServiceContext's reload handler instead).
std::optional<int> reload_signal();

// UTC calendar time of `seconds` (gmtime_r / gmtime_s).
std::tm utc_calendar_time(std::time_t seconds);

}  // namespace tlsring::platform
