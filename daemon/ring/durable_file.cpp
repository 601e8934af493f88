#include "daemon/ring/durable_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace tlsring::daemon {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

Status fsync_directory(const std::filesystem::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return make_error("cannot open directory " + directory.string() + " to sync it: " + errno_text(errno));
  if (::fsync(fd.get()) != 0) {
    return make_error("cannot sync directory " + directory.string() + ": " + errno_text(errno));
  }
  return {};
}

Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  int err = errno;
  // Filesystems without RENAME_NOREPLACE: check, then rename. The ring's
  // directory has one writer, so nothing appears between the two steps.
  if (err == EINVAL || err == ENOSYS) {
    std::error_code ec;
    if (std::filesystem::exists(to, ec)) {
      err = EEXIST;
    } else if (std::rename(from.c_str(), to.c_str()) == 0) {
      return {};
    } else {
      err = errno;
    }
  }
  std::string message = "cannot rename " + from.string() + " to " + to.string() + ": " + errno_text(err);
  if (err == EEXIST) message += " (a file of that name exists already; move it away)";
  return make_error(std::move(message));
}

Status remove_durably(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) {
    return make_error("cannot remove " + path.string() + ": " + errno_text(errno));
  }
  return fsync_directory(parent_or_dot(path));
}

}  // namespace tlsring::daemon
