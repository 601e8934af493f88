#include "daemon/platform/platform_windows_npcap.h"

#include <string>
#include <vector>

#include "daemon/platform/platform.h"
#include "daemon/platform/platform_windows_text.h"

namespace tlsring::platform {
namespace {

constexpr const char* kInstallNpcap =
    "install it from https://npcap.com (the option 'WinPcap API-compatible mode' is not needed)";

struct LoadedNpcap {
  NpcapFunctions functions;
  bool loaded = false;
  std::string error;
};

// FARPROC to the function's real type. GCC accepts a detour through
// void (*)() without -Wcast-function-type warnings; the types themselves are
// libpcap's declarations, so the call is well-typed.
template <class Function>
Function function_cast(FARPROC address) {
  return reinterpret_cast<Function>(reinterpret_cast<void (*)()>(address));
}

LoadedNpcap load() {
  LoadedNpcap npcap;
  wchar_t system_directory[MAX_PATH];
  const UINT length = GetSystemDirectoryW(system_directory, MAX_PATH);
  if (length == 0 || length >= MAX_PATH) {
    npcap.error = windows_error("cannot find the Windows system directory to load Npcap from", GetLastError()).message;
    return npcap;
  }
  // Npcap installs wpcap.dll in System32\Npcap (not on the search path, so
  // that it never shadows or is shadowed by an old WinPcap). A full path and
  // LOAD_WITH_ALTERED_SEARCH_PATH: wpcap.dll's own Packet.dll is found beside
  // it, and no directory of the search path (the current one, the program's)
  // can slip in another wpcap.dll.
  const std::wstring dll = std::wstring(system_directory, length) + L"\\Npcap\\wpcap.dll";
  const HMODULE module = LoadLibraryExW(dll.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
  if (module == nullptr) {
    const DWORD code = GetLastError();
    if (code == ERROR_MOD_NOT_FOUND || code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) {
      npcap.error = "Npcap is not installed (" + narrow(dll) + " is missing): " + kInstallNpcap;
    } else {
      npcap.error = windows_error("cannot load Npcap (" + narrow(dll) + ")", code).message +
                    ": reinstall it from https://npcap.com";
    }
    return npcap;
  }
  // Never freed: capture uses it until the process ends.
  std::vector<std::string> missing;
#define TLSRING_NPCAP_RESOLVE(name)                                                        \
  if (const FARPROC address = GetProcAddress(module, #name); address != nullptr) {         \
    npcap.functions.name = function_cast<decltype(npcap.functions.name)>(address);         \
  } else {                                                                                 \
    missing.push_back(#name);                                                              \
  }
  TLSRING_NPCAP_FUNCTIONS(TLSRING_NPCAP_RESOLVE)
#undef TLSRING_NPCAP_RESOLVE
  if (!missing.empty()) {
    std::string names;
    for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
    npcap.error = "the Npcap in " + narrow(dll) + " is too old (it lacks " + names +
                  "): install the current version from https://npcap.com";
    return npcap;
  }
  npcap.loaded = true;
  return npcap;
}

const LoadedNpcap& loaded_npcap() {
  static const LoadedNpcap npcap = load();  // once, thread safe (a function-local static)
  return npcap;
}

}  // namespace

const NpcapFunctions* npcap_functions() {
  const LoadedNpcap& npcap = loaded_npcap();
  return npcap.loaded ? &npcap.functions : nullptr;
}

const char* npcap_load_error() { return loaded_npcap().error.c_str(); }

CaptureHints capture_hints(const std::string& interface_name) {
  return CaptureHints{
      "Npcap's names are \\Device\\NPF_{GUID} (loopback: \\Device\\NPF_Loopback): list them with "
      "`Get-NetAdapter | Select-Object Name, InterfaceGuid` (PowerShell)",
      "run tlsring from an administrator prompt, or as the service (LocalSystem)",
      "enable the adapter of " + interface_name + " (`Enable-NetAdapter`, or ncpa.cpl)"};
}

Status load_capture_library() {
  const LoadedNpcap& npcap = loaded_npcap();
  if (!npcap.loaded) return make_error(npcap.error);
  return {};
}

}  // namespace tlsring::platform
