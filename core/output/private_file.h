// Files and directories that hold secrets or decrypted payload: directories
// are created 0700, files 0600, whatever the process umask.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/result.h"

namespace tlsring::output {

// Creates `path` and its missing parents with mode 0700 (existing ones are left as they are).
Status create_private_directory(const std::filesystem::path& path);

// An open file descriptor, closed by the destructor.
class PrivateFile {
 public:
  PrivateFile() = default;
  // Opens for appending (created 0600 if missing; truncated first when `truncate`).
  static Result<PrivateFile> open(const std::filesystem::path& path, bool truncate);
  PrivateFile(PrivateFile&& other) noexcept;
  PrivateFile& operator=(PrivateFile&& other) noexcept;
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;
  ~PrivateFile();

  Status write(std::span<const std::uint8_t> bytes);
  Status write(std::string_view text);
  Status sync();
  bool is_open() const { return fd_ >= 0; }

 private:
  explicit PrivateFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace tlsring::output
