// What this user may do with a file or directory, per OS, without opening it
// (`tlsring check`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

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

// A file that should be a regular file, and its permission bits.
struct RegularFileState {
  std::optional<std::string> problem;  // "no such file", "not a regular file", the system's reason
  unsigned posix_mode = 0;             // st_mode when there is no problem
};
//   Linux:   stat(2).
//   Windows: _wstat: the mode is the C runtime's emulation (0666, or 0444
//            when read-only), not the file's ACL.
RegularFileState inspect_regular_file(const std::filesystem::path& path);

}  // namespace tlsring::platform
