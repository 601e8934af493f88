// Files and directories that hold secrets or decrypted payload: directories
// are created 0700, files 0600, whatever the process umask.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/result.h"
#include "core/unique_fd.h"

namespace tlsring::output {

// Creates `path` and its missing parents with mode 0700 (existing ones are left as they are).
Status create_private_directory(const std::filesystem::path& path);

// An open directory in which many files are opened by name, without the
// system walking the whole path again for each.
class PrivateDirectory {
 public:
  PrivateDirectory() = default;
  static Result<PrivateDirectory> open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }

 private:
  PrivateDirectory(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  UniqueFd fd_;
  std::filesystem::path path_;
};

// An open file descriptor, closed by the destructor.
class PrivateFile {
 public:
  PrivateFile() = default;
  // Opens for appending (created 0600 if missing; truncated first when `truncate`).
  static Result<PrivateFile> open(const std::filesystem::path& path, bool truncate);
  // The same for the file `name` inside `directory` (errors name the whole path).
  static Result<PrivateFile> open_in(const PrivateDirectory& directory, std::string_view name, bool truncate);

  Status write(std::span<const std::uint8_t> bytes);
  Status write(std::string_view text);
  // Writes the pieces one after the other, gathered into few system calls.
  Status write_pieces(std::span<const std::span<const std::uint8_t>> pieces);
  Status sync();
  bool is_open() const { return static_cast<bool>(fd_); }

 private:
  explicit PrivateFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  static Result<PrivateFile> open_fd(int directory_fd, const char* name, const std::filesystem::path& path,
                                     bool truncate);
  UniqueFd fd_;
  std::filesystem::path path_;
};

}  // namespace tlsring::output
