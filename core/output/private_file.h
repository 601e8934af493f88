// Files and directories that hold secrets or decrypted payload, per OS:
//   POSIX (private_file_posix.cpp): directories are created 0700, files
//     0600, whatever the process umask; a new file has mode 0600 from its
//     creation on, never wider.
//   Windows (private_file_windows.cpp): there are no mode bits; a new file or
//     directory inherits the ACL of the directory it is made in. Under
//     %ProgramData%\tlsring that ACL is the installer's (SYSTEM and
//     Administrators only: daemon/platform/WINDOWS.md, step 3), so the files
//     are as private there as on Linux; elsewhere they are as private as the
//     directory the user chose.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/result.h"
#include "core/unique_fd.h"

namespace tlsring::output {

// Creates `path` and its missing parents with mode 0700 (existing ones are
// left as they are, but `path` itself is set to 0700). Windows: created with
// the inherited ACL, nothing set.
Status create_private_directory(const std::filesystem::path& path);

// An open directory in which many files are opened by name, without the
// system walking the whole path again for each (POSIX: an O_DIRECTORY
// descriptor for openat). Windows: only the path, checked to be a directory;
// files are opened by their whole path.
class PrivateDirectory {
 public:
  PrivateDirectory() = default;
  static Result<PrivateDirectory> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }

 private:
  friend class PrivateFile;
  PrivateDirectory(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  UniqueFd fd_;  // POSIX only; empty on Windows
  std::filesystem::path path_;
};

// An open file descriptor, closed by the destructor (Windows: the C
// runtime's descriptor, binary, not inherited by child processes).
class PrivateFile {
 public:
  PrivateFile() = default;
  // Opens for appending (created 0600 if missing, an existing file is set to
  // 0600; truncated first when `truncate`).
  static Result<PrivateFile> open(const std::filesystem::path& path, bool truncate);
  // The same for the file `name` inside `directory` (errors name the whole path).
  static Result<PrivateFile> open_in(const PrivateDirectory& directory, std::string_view name, bool truncate);

  Status write(std::span<const std::uint8_t> bytes);
  Status write(std::string_view text) {
    return write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  // Writes the pieces one after the other, gathered into few system calls
  // (POSIX: writev; Windows: one write per piece).
  Status write_pieces(std::span<const std::span<const std::uint8_t>> pieces);
  // fsync (Windows: _commit, i.e. FlushFileBuffers).
  Status sync();
  bool is_open() const { return static_cast<bool>(fd_); }

 private:
  explicit PrivateFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  UniqueFd fd_;
  std::filesystem::path path_;
};

}  // namespace tlsring::output
