// file_access.h on Windows: who may create and read files, from the C
// runtime's view (kind, read-only attribute) and the file's DACL.
#include <aclapi.h>
#include <io.h>
#include <sddl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cwchar>
#include <memory>

#include "daemon/platform/file_access.h"
#include "daemon/platform/platform_windows_text.h"

namespace tlsring::platform {
namespace {

constexpr const char* kEveryoneSid = "S-1-1-0";
constexpr const char* kLocalSystemSid = "S-1-5-18";

struct LocalFreeDeleter {
  void operator()(void* memory) const { LocalFree(memory); }
};

std::string sid_text(PSID sid) {
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(sid, &text)) return "(unknown SID)";
  const std::unique_ptr<wchar_t, LocalFreeDeleter> owned(text);
  return narrow(text);
}

// "DOMAIN\name", or the SID's text when it names no account here.
std::string account_name(PSID sid, const std::string& fallback) {
  wchar_t name[256];
  wchar_t domain[256];
  DWORD name_size = 256;
  DWORD domain_size = 256;
  SID_NAME_USE use{};
  if (!LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use)) return fallback;
  return domain_size > 0 ? narrow(domain) + "\\" + narrow(name) : narrow(name);
}

// The trustees an allow entry of `dacl` lets read the file's data.
std::vector<FileReader> dacl_readers(const ACL* dacl) {
  if (dacl == nullptr) return {FileReader{kEveryoneSid, "Everyone (the file has no DACL: anyone has full access)"}};
  constexpr ACCESS_MASK kRead = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
  std::vector<FileReader> readers;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* entry = nullptr;
    if (!GetAce(const_cast<ACL*>(dacl), i, &entry)) continue;
    const auto* header = static_cast<const ACE_HEADER*>(entry);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE) != 0) continue;
    const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(entry);
    if ((allowed->Mask & kRead) == 0) continue;
    PSID sid = const_cast<DWORD*>(&allowed->SidStart);
    const std::string text = sid_text(sid);
    const bool listed = std::any_of(readers.begin(), readers.end(), [&](const FileReader& r) { return r.sid == text; });
    if (!listed) readers.push_back(FileReader{text, account_name(sid, text)});
  }
  return readers;
}

}  // namespace

bool may_create_files_in(const std::filesystem::path& directory) {
  return _waccess(directory.c_str(), 2) == 0;  // 2: write; there is no "search" mode
}

std::optional<bool> same_filesystem(const std::filesystem::path& a, const std::filesystem::path& b) {
  wchar_t volume_a[MAX_PATH + 1] = {};
  wchar_t volume_b[MAX_PATH + 1] = {};
  if (!GetVolumePathNameW(a.c_str(), volume_a, MAX_PATH + 1) ||
      !GetVolumePathNameW(b.c_str(), volume_b, MAX_PATH + 1)) {
    return std::nullopt;
  }
  return _wcsicmp(volume_a, volume_b) == 0;
}

std::optional<std::string> probe_write(const std::filesystem::path& directory) {
  wchar_t name[MAX_PATH + 1] = {};
  if (GetTempFileNameW(directory.c_str(), L"tlr", 0, name) == 0) return windows_error_text(GetLastError());
  if (!DeleteFileW(name)) {
    return "created " + narrow(name) + " but cannot remove it: " + windows_error_text(GetLastError());
  }
  return std::nullopt;
}

RegularFileState inspect_regular_file(const std::filesystem::path& path) {
  RegularFileState state;
  struct _stat64 info {};
  if (_wstat64(path.c_str(), &info) != 0) {
    state.problem = errno == ENOENT ? std::string("no such file") : std::string(std::strerror(errno));
    return state;
  }
  if ((info.st_mode & _S_IFMT) != _S_IFREG) {
    state.problem = "not a regular file";
    return state;
  }
  state.posix_mode = static_cast<unsigned>(info.st_mode);
  state.has_acl = true;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const DWORD error = GetNamedSecurityInfoW(path.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                            nullptr, &dacl, nullptr, &descriptor);
  if (error != ERROR_SUCCESS) {
    state.acl_problem = windows_error_text(error);
    return state;
  }
  const std::unique_ptr<void, LocalFreeDeleter> owned(descriptor);
  state.readers = dacl_readers(dacl);
  return state;
}

std::optional<std::string> service_account_sid(const std::string& service_name) {
  const SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (manager == nullptr) return std::nullopt;
  const SC_HANDLE service = OpenServiceW(manager, widen(service_name).c_str(), SERVICE_QUERY_CONFIG);
  std::wstring account;
  if (service != nullptr) {
    DWORD needed = 0;
    QueryServiceConfigW(service, nullptr, 0, &needed);
    std::vector<unsigned char> buffer(needed);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (needed > 0 && QueryServiceConfigW(service, config, needed, &needed) && config->lpServiceStartName != nullptr) {
      account = config->lpServiceStartName;
    }
    CloseServiceHandle(service);
  }
  CloseServiceHandle(manager);
  if (account.empty()) return std::nullopt;
  if (_wcsicmp(account.c_str(), L"LocalSystem") == 0) return std::string(kLocalSystemSid);
  if (account.rfind(L".\\", 0) == 0) account.erase(0, 2);  // ".\user": a local account
  DWORD sid_size = 0;
  DWORD domain_size = 0;
  SID_NAME_USE use{};
  LookupAccountNameW(nullptr, account.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  if (sid_size == 0) return std::nullopt;
  std::vector<unsigned char> sid(sid_size);
  std::wstring domain(domain_size, L'\0');
  if (!LookupAccountNameW(nullptr, account.c_str(), sid.data(), &sid_size, domain.data(), &domain_size, &use)) {
    return std::nullopt;
  }
  return sid_text(sid.data());
}

}  // namespace tlsring::platform
