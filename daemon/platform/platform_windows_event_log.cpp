#include "daemon/platform/platform_windows_event_log.h"

#include <memory>
#include <type_traits>

#include "daemon/platform/platform.h"
#include "daemon/platform/platform_windows_text.h"

namespace tlsring::platform {
namespace {

constexpr const wchar_t* kApplicationSources = L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\";

// ReportEvent refuses a string longer than 31839 characters; an event that
// long is a mistake, so keep its start.
constexpr std::size_t kMaxEventCharacters = 31000;

WORD event_type(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::error: return EVENTLOG_ERROR_TYPE;
    case EventSeverity::warning: return EVENTLOG_WARNING_TYPE;
    case EventSeverity::information: break;
  }
  return EVENTLOG_INFORMATION_TYPE;
}

class WindowsEventLog final : public EventLog {
 public:
  explicit WindowsEventLog(HANDLE source) : source_(source) {}
  WindowsEventLog(const WindowsEventLog&) = delete;
  WindowsEventLog& operator=(const WindowsEventLog&) = delete;
  ~WindowsEventLog() override { DeregisterEventSource(source_); }

  void report(EventSeverity severity, std::string_view message) override {
    std::wstring text = widen(message);
    if (text.size() > kMaxEventCharacters) text.resize(kMaxEventCharacters);
    const wchar_t* strings[] = {text.c_str()};
    // ReportEventW is thread safe; a failure has nowhere to be reported.
    ReportEventW(source_, event_type(severity), 0, kEventMessageId, nullptr, 1, 0, strings, nullptr);
  }

 private:
  HANDLE source_;
};

struct KeyCloser {
  void operator()(HKEY key) const { RegCloseKey(key); }
};
using KeyHandle = std::unique_ptr<std::remove_pointer_t<HKEY>, KeyCloser>;

}  // namespace

Result<std::unique_ptr<EventLog>> open_event_log(const std::string& source) {
  const HANDLE handle = RegisterEventSourceW(nullptr, widen(source).c_str());
  if (handle == nullptr) return windows_error("cannot open the event log as source " + source, GetLastError());
  return std::unique_ptr<EventLog>(std::make_unique<WindowsEventLog>(handle));
}

Status register_event_source(const std::wstring& source, const std::wstring& executable) {
  const std::wstring key_path = kApplicationSources + source;
  HKEY raw = nullptr;
  const LSTATUS created = RegCreateKeyExW(HKEY_LOCAL_MACHINE, key_path.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
                                          KEY_SET_VALUE, nullptr, &raw, nullptr);
  if (created != ERROR_SUCCESS) {
    return windows_error("cannot register the event log source " + narrow(source) + " (HKLM\\" + narrow(key_path) + ")",
                         static_cast<DWORD>(created));
  }
  const KeyHandle key(raw);
  const auto bytes = static_cast<DWORD>((executable.size() + 1) * sizeof(wchar_t));
  LSTATUS written = RegSetValueExW(key.get(), L"EventMessageFile", 0, REG_EXPAND_SZ,
                                   reinterpret_cast<const BYTE*>(executable.c_str()), bytes);
  if (written == ERROR_SUCCESS) {
    const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    written = RegSetValueExW(key.get(), L"TypesSupported", 0, REG_DWORD, reinterpret_cast<const BYTE*>(&types),
                             sizeof types);
  }
  if (written != ERROR_SUCCESS) {
    return windows_error("cannot write the event log source " + narrow(source) + " (HKLM\\" + narrow(key_path) + ")",
                         static_cast<DWORD>(written));
  }
  return {};
}

Status unregister_event_source(const std::wstring& source) {
  const std::wstring key_path = kApplicationSources + source;
  const LSTATUS deleted = RegDeleteKeyW(HKEY_LOCAL_MACHINE, key_path.c_str());
  if (deleted != ERROR_SUCCESS && deleted != ERROR_FILE_NOT_FOUND) {
    return windows_error("cannot remove the event log source " + narrow(source) + " (HKLM\\" + narrow(key_path) + ")",
                         static_cast<DWORD>(deleted));
  }
  return {};
}

}  // namespace tlsring::platform
