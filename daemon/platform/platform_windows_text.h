// Windows only. Includes <windows.h> the way every platform_windows_*.cpp
// wants it, and the helpers they share: UTF-8 <-> UTF-16 at the Win32 call,
// system error texts, and this executable's path.
#pragma once

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::platform {

// Invalid UTF-8 becomes U+FFFD: the text is for Win32 calls and messages only.
std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// The system's text for a Win32 error or HRESULT, with its number:
// "Access is denied (error 5)", "Keyset does not exist (0x80090016)".
std::string windows_error_text(DWORD code);

// "<what>: <windows_error_text(code)>".
Error windows_error(const std::string& what, DWORD code);

// The full path of the running executable (GetModuleFileNameW).
Result<std::wstring> executable_path();

}  // namespace tlsring::platform
