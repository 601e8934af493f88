// default_paths() on Windows: under %ProgramData%\tlsring, asked of the shell
// (SHGetKnownFolderPath) rather than of the environment, which a service's
// account may not have set as a user's session does.
#include "daemon/platform/platform_windows_text.h"

// initguid.h first: knownfolders.h then defines FOLDERID_ProgramData here
// (selectany) instead of leaving it to an import library that differs
// between toolchains (mingw's libuuid, MSVC's shell32.lib).
#include <initguid.h>
#include <knownfolders.h>
#include <objbase.h>
#include <shlobj.h>

#include <memory>

#include "daemon/platform/platform.h"

namespace tlsring::platform {

Result<DefaultPaths> default_paths() {
  PWSTR folder = nullptr;
  const HRESULT result = SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &folder);
  // The buffer is the caller's to free even when the call failed.
  const std::unique_ptr<wchar_t, decltype(&CoTaskMemFree)> owned(folder, &CoTaskMemFree);
  if (FAILED(result) || folder == nullptr) {
    return windows_error("cannot find the ProgramData folder (SHGetKnownFolderPath)", static_cast<DWORD>(result));
  }
  const std::filesystem::path base = std::filesystem::path(folder) / L"tlsring";
  return DefaultPaths{base / L"tlsring.yaml", base / L"data", base / L"logs"};
}

}  // namespace tlsring::platform
