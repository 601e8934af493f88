// UniqueFd: owns one POSIX file descriptor and closes it on destruction; the
// RAII every fd in the project lives in (core/output's private files, the
// ring's durable files, the status file). On Windows the descriptor is the C
// runtime's (_wopen), closed with _close.
#pragma once

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include <utility>

namespace tlsring {

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
  void reset() {
    if (fd_ >= 0) close_descriptor(fd_);
    fd_ = -1;
  }

 private:
#ifdef _WIN32
  static void close_descriptor(int fd) { ::_close(fd); }
#else
  static void close_descriptor(int fd) { ::close(fd); }
#endif
  int fd_ = -1;
};

}  // namespace tlsring
