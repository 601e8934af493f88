// process.h on Windows.
#include <io.h>
#include <malloc.h>

#include <string>

#include "daemon/platform/platform_windows_text.h"
#include "daemon/platform/process.h"

namespace tlsring::platform {

std::int64_t current_process_id() { return static_cast<std::int64_t>(GetCurrentProcessId()); }

bool process_is_running(std::int64_t pid) {
  if (pid <= 0 || pid > 0xFFFFFFFFll) return false;
  HANDLE process = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) {
    // Access denied: it exists, but belongs to an account this one may not
    // open (not the case for an administrator and LocalSystem's service).
    return GetLastError() == ERROR_ACCESS_DENIED;
  }
  const bool running = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
  CloseHandle(process);
  return running;
}

void set_file_creation_mask(unsigned) {
  // New files inherit their directory's ACL (WINDOWS.md, step 3): no mask.
}

std::optional<std::string> capability_status_text() { return std::nullopt; }

bool running_as_root() { return false; }

std::optional<std::string> lower_current_thread_priority() {
  if (SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_BELOW_NORMAL)) return std::nullopt;
  return "SetThreadPriority failed (error " + std::to_string(GetLastError()) + ")";
}

void release_pages(void* begin, std::size_t size) {
  SYSTEM_INFO info;
  GetSystemInfo(&info);
  const auto page = static_cast<std::uintptr_t>(info.dwPageSize);
  const auto start = reinterpret_cast<std::uintptr_t>(begin);
  const std::uintptr_t first = (start + page - 1) & ~(page - 1);
  const std::uintptr_t last = (start + size) & ~(page - 1);
  if (last > first) (void)VirtualAlloc(reinterpret_cast<void*>(first), last - first, MEM_RESET, PAGE_READWRITE);
}

void release_free_heap() { (void)_heapmin(); }

void name_current_thread(const char* name) {
  // kernel32's SetThreadDescription exists from Windows 10 1607 on: looked up,
  // so that the executable still loads on older systems.
  using SetThreadDescriptionFunction = HRESULT(WINAPI*)(HANDLE, PCWSTR);
  static const auto set_description = reinterpret_cast<SetThreadDescriptionFunction>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "SetThreadDescription")));
  if (set_description != nullptr) set_description(GetCurrentThread(), widen(name).c_str());
}

void write_standard_error(std::string_view text) {
  (void)_write(2, text.data(), static_cast<unsigned>(text.size()));
}

std::optional<int> reload_signal() { return std::nullopt; }

std::tm utc_calendar_time(std::time_t seconds) {
  std::tm tm{};
  gmtime_s(&tm, &seconds);
  return tm;
}

}  // namespace tlsring::platform
