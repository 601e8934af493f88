// PrivateFile and PrivateDirectory on POSIX systems (private_file.h).
#include "core/output/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

Result<PrivateDirectory> PrivateDirectory::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error("cannot open directory " + path.string() + ": " + std::strerror(errno));
  return PrivateDirectory(fd, path);
}

namespace {

// True when the process umask leaves the owner's read and write bits alone,
// so that a file created with mode 0600 gets exactly 0600. Read once from
// /proc (umask() itself cannot be read without changing it); false where
// that is not possible, and then every file gets its mode set explicitly.
bool umask_keeps_0600() {
  static const bool keeps = [] {
    std::FILE* status = std::fopen("/proc/self/status", "r");
    if (status == nullptr) return false;
    char line[256];
    bool found = false;
    unsigned mask = 0777;
    while (std::fgets(line, sizeof line, status) != nullptr) {
      if (std::sscanf(line, "Umask: %o", &mask) == 1) {
        found = true;
        break;
      }
    }
    std::fclose(status);
    return found && (mask & 0600) == 0;
  }();
  return keeps;
}

// The descriptor of `name` (relative to `directory_fd`), opened for
// appending with mode 0600; errors name `path`.
Result<int> open_private_fd(int directory_fd, const char* name, const std::filesystem::path& path, bool truncate) {
  // A file that this call creates has mode 0600 already where the umask
  // allows it: setting it again would cost a system call per file.
  const int base = O_WRONLY | O_APPEND | O_CLOEXEC;
  int fd = -1;
  bool created = false;
  if (truncate && umask_keeps_0600()) {
    fd = ::openat(directory_fd, name, base | O_CREAT | O_EXCL, 0600);
    created = fd >= 0;
  }
  if (fd < 0) fd = ::openat(directory_fd, name, base | O_CREAT | (truncate ? O_TRUNC : 0), 0600);
  if (fd < 0) return make_error("cannot open " + path.string() + " for writing: " + std::strerror(errno));
  if (!created && ::fchmod(fd, 0600) != 0) {
    const int saved = errno;
    ::close(fd);
    return make_error("cannot set mode 0600 on " + path.string() + ": " + std::strerror(saved));
  }
  return fd;
}

}  // namespace

Result<PrivateFile> PrivateFile::open(const std::filesystem::path& path, bool truncate) {
  auto fd = open_private_fd(AT_FDCWD, path.c_str(), path, truncate);
  if (!fd.ok()) return fd.error();
  return PrivateFile(*fd, path);
}

Result<PrivateFile> PrivateFile::open_in(const PrivateDirectory& directory, std::string_view name, bool truncate) {
  const std::string file(name);  // NUL-terminated for the system call
  std::filesystem::path path = directory.path() / file;
  auto fd = open_private_fd(directory.fd_.get(), file.c_str(), path, truncate);
  if (!fd.ok()) return fd.error();
  return PrivateFile(*fd, std::move(path));
}

Status PrivateFile::write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status PrivateFile::write_pieces(std::span<const std::span<const std::uint8_t>> pieces) {
  constexpr std::size_t kBatch = 64;  // well below IOV_MAX everywhere
  iovec vectors[kBatch];
  std::size_t next = 0;          // the first piece not yet in `vectors`
  std::size_t next_offset = 0;   // bytes of pieces[next] already written
  while (next < pieces.size()) {
    std::size_t count = 0;
    for (std::size_t i = next; i < pieces.size() && count < kBatch; ++i) {
      const std::size_t skip = i == next ? next_offset : 0;
      if (pieces[i].size() == skip) continue;
      vectors[count].iov_base = const_cast<std::uint8_t*>(pieces[i].data() + skip);
      vectors[count].iov_len = pieces[i].size() - skip;
      ++count;
    }
    if (count == 0) break;
    const ssize_t n = ::writev(fd_.get(), vectors, static_cast<int>(count));
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    // Move past what was written (all of it, unless the write stopped short).
    std::size_t left = static_cast<std::size_t>(n);
    while (next < pieces.size()) {
      const std::size_t rest = pieces[next].size() - next_offset;
      if (left < rest) {
        next_offset += left;
        break;
      }
      left -= rest;
      ++next;
      next_offset = 0;
    }
  }
  return {};
}

Status PrivateFile::sync() {
  if (::fsync(fd_.get()) != 0) return make_error("cannot sync " + path_.string() + ": " + std::strerror(errno));
  return {};
}

}  // namespace tlsring::output
