#include "daemon/platform/platform_windows_text.h"

#include <cstdio>
#include <memory>

namespace tlsring::platform {

std::wstring widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int size = static_cast<int>(utf8.size());
  const int length = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, nullptr, 0);
  std::wstring text(static_cast<std::size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, text.data(), length);
  return text;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int size = static_cast<int>(utf16.size());
  const int length = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), size, nullptr, 0, nullptr, nullptr);
  std::string text(static_cast<std::size_t>(length), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), size, text.data(), length, nullptr, nullptr);
  return text;
}

std::string windows_error_text(DWORD code) {
  wchar_t* buffer = nullptr;
  const DWORD length = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr, code, 0,
      reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  const std::unique_ptr<wchar_t, decltype(&LocalFree)> owned(buffer, &LocalFree);
  std::wstring text = length > 0 ? std::wstring(buffer, length) : L"unknown error";
  // FormatMessage ends its texts with ".\r\n"; the caller's sentence goes on.
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ' || text.back() == L'.')) {
    text.pop_back();
  }
  char number[24];
  // HRESULTs read best in hex (0x8009000B), Win32 error numbers in decimal.
  if (code & 0x80000000u) {
    std::snprintf(number, sizeof number, " (0x%08lX)", static_cast<unsigned long>(code));
  } else {
    std::snprintf(number, sizeof number, " (error %lu)", static_cast<unsigned long>(code));
  }
  return narrow(text) + number;
}

Error windows_error(const std::string& what, DWORD code) { return make_error(what + ": " + windows_error_text(code)); }

Result<std::wstring> executable_path() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (length == 0) return windows_error("cannot find this program's own path", GetLastError());
    if (length < path.size()) {
      path.resize(length);
      return path;
    }
    path.resize(path.size() * 2);  // truncated: long path, try a larger buffer
  }
}

}  // namespace tlsring::platform
