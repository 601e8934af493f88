#include "tests/gen/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tlsring::testgen {

Status write_file(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                  unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(path.string() + ": cannot create: " + std::strerror(errno));
  // open()'s mode applies only to new files; keys must not stay readable.
  int err = ::fchmod(fd, mode) == 0 ? 0 : errno;
  std::size_t done = 0;
  while (err == 0 && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno != EINTR) err = errno;
      continue;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) return make_error(path.string() + ": cannot write: " + std::strerror(err));
  return {};
}

Status write_file(const std::filesystem::path& path, std::string_view text, unsigned mode) {
  return write_file(path, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, mode);
}

}  // namespace tlsring::testgen
