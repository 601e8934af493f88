#include "core/output/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tlsring::output {

Status create_private_directory(const std::filesystem::path& path) {
  std::filesystem::path built;
  for (const auto& part : path) {
    built /= part;
    if (built.empty() || built == built.root_path()) continue;
    if (::mkdir(built.c_str(), 0700) != 0 && errno != EEXIST) {
      return make_error("cannot create directory " + built.string() + ": " + std::strerror(errno));
    }
  }
  // mkdir applies the umask; make the leaf exactly 0700 (it holds secrets).
  if (::chmod(path.c_str(), 0700) != 0) {
    return make_error("cannot set mode 0700 on " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

Result<PrivateFile> PrivateFile::open(const std::filesystem::path& path, bool truncate) {
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  const int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return make_error("cannot open " + path.string() + " for writing: " + std::strerror(errno));
  if (::fchmod(fd, 0600) != 0) {
    const int saved = errno;
    ::close(fd);
    return make_error("cannot set mode 0600 on " + path.string() + ": " + std::strerror(saved));
  }
  return PrivateFile(fd, path);
}

PrivateFile::PrivateFile(PrivateFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

PrivateFile& PrivateFile::operator=(PrivateFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

PrivateFile::~PrivateFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status PrivateFile::write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status PrivateFile::write(std::string_view text) {
  return write(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Status PrivateFile::sync() {
  if (::fsync(fd_) != 0) return make_error("cannot sync " + path_.string() + ": " + std::strerror(errno));
  return {};
}

}  // namespace tlsring::output
