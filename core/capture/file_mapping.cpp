#include "core/capture/file_mapping.h"

#include <algorithm>
#include <utility>

#if defined(__unix__)
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tlsring::capture {

#if defined(__unix__)

namespace {

// MADV_POPULATE_READ (Linux 5.14): maps a range's pages in one call. Older
// kernels answer EINVAL, and the pages are then mapped as they are touched.
#ifndef MADV_POPULATE_READ
constexpr int MADV_POPULATE_READ = 22;
#endif

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

std::optional<FileMapping> FileMapping::map(std::FILE* file) {
  const int fd = ::fileno(file);
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size <= 0) return std::nullopt;
  const auto size = static_cast<std::size_t>(status.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) return std::nullopt;
  // Read front to back: the kernel reads further ahead from a disk.
  (void)::madvise(data, size, MADV_SEQUENTIAL);
  return FileMapping(fd, static_cast<const std::uint8_t*>(data), size);
}

void FileMapping::unmap() {
  watch_ = PageFaultWatch();  // before the range is unmapped: it may be mapped again, for another use
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
  dropped_before_ = 0;
}

void FileMapping::populate(std::size_t offset, std::size_t length) const {
  if (offset >= size_) return;
  const std::size_t first = offset / page_size() * page_size();
  const std::size_t last = offset + std::min(length, size_ - offset);
  if (last > first) (void)::madvise(const_cast<std::uint8_t*>(data_) + first, last - first, MADV_POPULATE_READ);
}

void FileMapping::drop_before(std::size_t offset) {
  const std::size_t last = std::min(offset, size_) / page_size() * page_size();
  if (last <= dropped_before_) return;
  (void)::madvise(const_cast<std::uint8_t*>(data_) + dropped_before_, last - dropped_before_, MADV_DONTNEED);
  dropped_before_ = last;
}

std::optional<std::size_t> FileMapping::shrunk_to() const {
  struct stat status {};
  if (::fstat(fd_, &status) != 0 || status.st_size < 0) return std::nullopt;
  const auto now = static_cast<std::uint64_t>(status.st_size);
  if (now >= size_) return std::nullopt;
  return static_cast<std::size_t>(now);
}

#else  // Windows: files are read by copying.

std::optional<FileMapping> FileMapping::map(std::FILE* /*file*/) { return std::nullopt; }
void FileMapping::unmap() {}
void FileMapping::populate(std::size_t, std::size_t) const {}
void FileMapping::drop_before(std::size_t) {}
std::optional<std::size_t> FileMapping::shrunk_to() const { return std::nullopt; }

#endif

FileMapping::FileMapping(FileMapping&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      dropped_before_(std::exchange(other.dropped_before_, 0)),
      watch_(std::move(other.watch_)) {}

FileMapping& FileMapping::operator=(FileMapping&& other) noexcept {
  if (this != &other) {
    unmap();
    fd_ = std::exchange(other.fd_, -1);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    dropped_before_ = std::exchange(other.dropped_before_, 0);
    watch_ = std::move(other.watch_);
  }
  return *this;
}

FileMapping::~FileMapping() { unmap(); }

}  // namespace tlsring::capture
