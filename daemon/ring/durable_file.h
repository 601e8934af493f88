// File operations that survive a crash, for the ring's mechanism (POSIX):
// an owned descriptor, fsync of a directory (so that a rename or an unlink in
// it is on disk), and a rename that never replaces an existing file.
#pragma once

#include <filesystem>
#include <utility>

#include "core/result.h"

namespace tlsring::daemon {

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

// fsync(2) on the directory itself. Errors name the directory.
Status fsync_directory(const std::filesystem::path& directory);

// Renames `from` to `to` atomically, failing (with a message naming both) when
// `to` exists rather than replacing it. Does not fsync the directory.
Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes `path` and fsyncs its directory.
Status remove_durably(const std::filesystem::path& path);

}  // namespace tlsring::daemon
