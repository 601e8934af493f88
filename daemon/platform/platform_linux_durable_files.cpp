// durable_files.h on Linux: fsync(2), renameat2(2), mmap(2).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/unique_fd.h"
#include "daemon/platform/durable_files.h"

namespace tlsring::platform {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

class MappedFile final : public FileView {
 public:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  ~MappedFile() override { ::munmap(data_, size_); }
  std::span<const std::uint8_t> bytes() const override { return {static_cast<const std::uint8_t*>(data_), size_}; }

 private:
  void* data_;
  std::size_t size_;
};

class LinuxFileForRepair final : public FileForRepair {
 public:
  explicit LinuxFileForRepair(UniqueFd fd) : fd_(std::move(fd)) {}

  Result<Kind> kind() const override {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) return make_error(errno_text(errno));
    return Kind{S_ISREG(st.st_mode), static_cast<std::uint64_t>(st.st_size)};
  }
  Result<std::unique_ptr<FileView>> map(std::uint64_t size) const override {
    if (size > SIZE_MAX) return make_error("too large to map on this system");
    void* data = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE, fd_.get(), 0);
    if (data == MAP_FAILED) return make_error(errno_text(errno));
    return std::unique_ptr<FileView>(std::make_unique<MappedFile>(data, static_cast<std::size_t>(size)));
  }
  Status truncate(std::uint64_t size) override {
    if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) return make_error(errno_text(errno));
    return {};
  }
  Status sync() override {
    if (::fsync(fd_.get()) != 0) return make_error(errno_text(errno));
    return {};
  }

 private:
  UniqueFd fd_;
};

}  // namespace

Status sync_directory(const std::filesystem::path& directory) {
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

Status remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0) return make_error("cannot remove " + path.string() + ": " + errno_text(errno));
  return {};
}

Status replace_file_contents(const std::filesystem::path& path, std::string_view text, unsigned posix_mode) {
  const std::string tmp = path.string() + ".tmp";
  const UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, posix_mode));
  if (!fd) return make_error("cannot write " + tmp + ": " + errno_text(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error("cannot write " + tmp + ": " + errno_text(errno));
    done += static_cast<std::size_t>(n);
  }
  ::fchmod(fd.get(), posix_mode);
  ::fsync(fd.get());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return make_error("cannot rename " + tmp + " to " + path.string() + ": " + errno_text(errno));
  }
  return {};
}

Result<std::unique_ptr<FileForRepair>> FileForRepair::open(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return make_error(errno_text(errno));
  return std::unique_ptr<FileForRepair>(std::make_unique<LinuxFileForRepair>(std::move(fd)));
}

}  // namespace tlsring::platform
