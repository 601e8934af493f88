#include "core/capture/page_fault_watch.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <utility>

#if defined(__unix__)
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace tlsring::capture {

#if defined(__unix__)

namespace {

// A watched range. The signal handler reads these, so they are lock-free
// atomics and nothing else; a range is published by storing `end` last and
// withdrawn by clearing it first.
struct WatchedRange {
  std::atomic<bool> taken{false};
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};  // 0: not watched
  std::atomic<std::size_t> first_fault{SIZE_MAX};
};
static_assert(std::atomic<std::uintptr_t>::is_always_lock_free && std::atomic<std::size_t>::is_always_lock_free);

std::array<WatchedRange, PageFaultWatch::kMaxWatched> g_ranges;
struct sigaction g_previous {};  // SIGBUS's disposition before the handler: set as it is installed, once
std::uintptr_t g_page_size = 4096;

void note_fault(WatchedRange& range, std::size_t offset) {
  std::size_t seen = range.first_fault.load(std::memory_order_relaxed);
  while (offset < seen && !range.first_fault.compare_exchange_weak(seen, offset, std::memory_order_release)) {
  }
}

// Only async-signal-safe steps: atomics, mmap (a system call) and sigaction.
void on_sigbus(int signal, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (WatchedRange& range : g_ranges) {
    const std::uintptr_t end = range.end.load(std::memory_order_acquire);
    const std::uintptr_t begin = range.begin.load(std::memory_order_relaxed);
    if (end == 0 || address < begin || address >= end) continue;
    const std::uintptr_t page = address & ~(g_page_size - 1);
    void* zeros = ::mmap(reinterpret_cast<void*>(page), g_page_size, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (zeros == MAP_FAILED) break;  // cannot mend it: as if it were not watched
    note_fault(range, page > begin ? page - begin : 0);
    errno = saved_errno;
    return;  // the read runs again and finds zeros
  }
  // Not ours: what SIGBUS did before the first watch.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(signal, info, context);
  } else if ((g_previous.sa_flags & SA_SIGINFO) == 0 && g_previous.sa_handler != SIG_DFL &&
             g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(signal);
  } else if (g_previous.sa_handler == SIG_IGN && info->si_code <= 0) {
    // Sent by a process (kill), and ignored before: still ignored.
  } else {
    // The default, which a fault gets even where SIGBUS was ignored: the end
    // of the process, on return, by the signal raised again.
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    ::sigemptyset(&fallback.sa_mask);
    ::sigaction(SIGBUS, &fallback, nullptr);
    ::raise(SIGBUS);
  }
  errno = saved_errno;
}

bool install_handler() {
  static bool installed = false;
  static std::once_flag once;
  std::call_once(once, [] {
    g_page_size = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    ::sigemptyset(&action.sa_mask);
    installed = ::sigaction(SIGBUS, &action, &g_previous) == 0;
  });
  return installed;
}

}  // namespace

PageFaultWatch PageFaultWatch::watch(const void* begin, std::size_t size) {
  if (size == 0 || !install_handler()) return {};
  for (std::size_t slot = 0; slot < g_ranges.size(); ++slot) {
    WatchedRange& range = g_ranges[slot];
    bool free = false;
    if (!range.taken.compare_exchange_strong(free, true, std::memory_order_acquire)) continue;
    range.first_fault.store(SIZE_MAX, std::memory_order_relaxed);
    range.begin.store(reinterpret_cast<std::uintptr_t>(begin), std::memory_order_relaxed);
    range.end.store(reinterpret_cast<std::uintptr_t>(begin) + size, std::memory_order_release);
    return PageFaultWatch(static_cast<int>(slot));
  }
  return {};
}

std::optional<std::size_t> PageFaultWatch::fault_offset() const {
  if (slot_ < 0) return std::nullopt;
  const std::size_t offset = g_ranges[static_cast<std::size_t>(slot_)].first_fault.load(std::memory_order_acquire);
  if (offset == SIZE_MAX) return std::nullopt;
  return offset;
}

void PageFaultWatch::release() {
  if (slot_ < 0) return;
  WatchedRange& range = g_ranges[static_cast<std::size_t>(slot_)];
  range.end.store(0, std::memory_order_release);
  range.begin.store(0, std::memory_order_relaxed);
  range.taken.store(false, std::memory_order_release);
  slot_ = -1;
}

#else  // Windows: nothing is mapped, nothing to watch.

PageFaultWatch PageFaultWatch::watch(const void*, std::size_t) { return {}; }
std::optional<std::size_t> PageFaultWatch::fault_offset() const { return std::nullopt; }
void PageFaultWatch::release() { slot_ = -1; }

#endif

PageFaultWatch::PageFaultWatch(PageFaultWatch&& other) noexcept : slot_(std::exchange(other.slot_, -1)) {}

PageFaultWatch& PageFaultWatch::operator=(PageFaultWatch&& other) noexcept {
  if (this != &other) {
    release();
    slot_ = std::exchange(other.slot_, -1);
  }
  return *this;
}

PageFaultWatch::~PageFaultWatch() { release(); }

}  // namespace tlsring::capture
