// What this user may do with a file or directory, per OS, without opening it
// (`tlsring check`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tlsring::platform {

// Whether this user may create files in `directory`.
//   Linux:   access(2) with W_OK | X_OK (ignores read-only mounts and ACLs).
//   Windows: _waccess with write (the read-only attribute only: ACLs are not
//            read).
bool may_create_files_in(const std::filesystem::path& directory);

// Creates a file of a unique name in `directory` and removes it again: the
// only sure test of writability. nullopt when that worked, else what failed.
//   Linux:   mkstemp(3), unlink(2).
//   Windows: GetTempFileNameW (creates the file), DeleteFileW.
std::optional<std::string> probe_write(const std::filesystem::path& directory);

// Whether two existing paths are on one filesystem (so that what is written
// under one takes the free space of the other). nullopt when either cannot be
// looked at.
//   Linux:   stat(2), st_dev.
//   Windows: GetVolumePathNameW (the mount point or drive of each).
std::optional<bool> same_filesystem(const std::filesystem::path& a, const std::filesystem::path& b);

// A trustee that an entry of a file's access control list lets read it.
struct FileReader {
  std::string sid;   // "S-1-5-32-545"
  std::string name;  // "BUILTIN\Users"; the SID again when it names no account
};

// A file that should be a regular file, and who may read it.
struct RegularFileState {
  std::optional<std::string> problem;  // "no such file", "not a regular file", the system's reason
  unsigned posix_mode = 0;             // Linux: st_mode when there is no problem
  // Windows (has_acl): the trustees whose allow entries of the file's DACL
  // grant reading its data (FILE_READ_DATA, GENERIC_READ or GENERIC_ALL;
  // inherit-only entries skipped, deny entries not subtracted: a reader may
  // be listed that a deny entry stops). A NULL DACL lists Everyone.
  bool has_acl = false;
  std::vector<FileReader> readers;
  std::optional<std::string> acl_problem;  // has_acl: why the DACL could not be read
};
//   Linux:   stat(2); has_acl false (the mode bits say who may read it).
//   Windows: _wstat64 for the kind (its mode is the C runtime's emulation,
//            0666 or 0444, and means nothing); GetNamedSecurityInfoW for the
//            DACL, LookupAccountSidW for the names.
RegularFileState inspect_regular_file(const std::filesystem::path& path);

// The SID ("S-1-5-18") of the account the service `service_name` runs as,
// who must be able to read its keys. nullopt when it is not installed or its
// account does not resolve.
//   Linux:   nullopt (systemd's unit names the user; the group decides).
//   Windows: QueryServiceConfigW's account ("LocalSystem" is S-1-5-18),
//            LookupAccountNameW.
std::optional<std::string> service_account_sid(const std::string& service_name);

}  // namespace tlsring::platform
