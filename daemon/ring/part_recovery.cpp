#include "daemon/ring/part_recovery.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/capture_scan.h"
#include "daemon/ring/durable_file.h"
#include "daemon/ring/ring_directory.h"

namespace tlsring::daemon {
namespace {

Error file_error(const std::filesystem::path& path, const char* what, int err) {
  return make_error(path.string() + ": " + what + ": " + std::strerror(err));
}

// A read-only view of a whole file; unmapped on destruction.
class MappedFile {
 public:
  static Result<MappedFile> map(int fd, std::size_t size, const std::filesystem::path& path) {
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) return file_error(path, "cannot map the file to scan it", errno);
    return MappedFile(data, size);
  }
  MappedFile(MappedFile&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(data_, size_);
  }
  std::span<const std::uint8_t> bytes() const { return {static_cast<const std::uint8_t*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// Scans the file behind `fd` (size > 0) and unmaps it before returning, so
// that the truncation that follows does not cut a live mapping.
Result<CaptureScan> scan_file(int fd, std::uint64_t size, const std::filesystem::path& path) {
  if (size > SIZE_MAX) return make_error(path.string() + ": too large to scan on this system");
  auto mapped = MappedFile::map(fd, static_cast<std::size_t>(size), path);
  if (!mapped) return mapped.error();
  return scan_whole_records(mapped->bytes());
}

}  // namespace

Result<RecoveredFile> recover_part_file(const std::filesystem::path& part_path) {
  const std::string name = part_path.filename().string();
  if (name.size() <= kPartSuffix.size() || !name.ends_with(kPartSuffix)) {
    return make_error(part_path.string() + ": not a .part file, nothing to recover");
  }
  RecoveredFile out;
  out.part_path = part_path;

  UniqueFd fd(::open(part_path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return file_error(part_path, "cannot open to recover it", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return file_error(part_path, "cannot stat", errno);
  if (!S_ISREG(st.st_mode)) return make_error(part_path.string() + ": not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);

  CaptureScan scan;
  if (size > 0) {
    auto scanned = scan_file(fd.get(), size, part_path);
    if (!scanned) return scanned.error();
    scan = std::move(*scanned);
  } else {
    scan.stop_reason = "empty file";
  }

  if (!scan.has_header) {
    fd.reset();
    if (auto removed = remove_durably(part_path); !removed) return removed.error();
    out.deleted = true;
    out.bytes_cut = size;
    out.cut_reason = scan.stop_reason;
    return out;
  }

  if (scan.whole_end < size) {
    if (::ftruncate(fd.get(), static_cast<off_t>(scan.whole_end)) != 0) {
      return file_error(part_path, "cannot truncate to the last whole record", errno);
    }
    out.cut_reason = scan.stop_reason;
  }
  if (::fsync(fd.get()) != 0) return file_error(part_path, "fsync failed", errno);
  fd.reset();

  std::filesystem::path final_path = part_path;
  final_path.replace_filename(name.substr(0, name.size() - kPartSuffix.size()));
  if (auto renamed = rename_no_replace(part_path, final_path); !renamed) return renamed.error();
  const auto directory = part_path.parent_path().empty() ? std::filesystem::path(".")
                                                         : part_path.parent_path();
  if (auto synced = fsync_directory(directory); !synced) return synced.error();

  out.final_path = std::move(final_path);
  out.packets_kept = scan.packets;
  out.bytes_kept = scan.whole_end;
  out.bytes_cut = size - scan.whole_end;
  return out;
}

Result<RingRecovery> recover_ring_directory(const std::filesystem::path& directory,
                                            std::string_view prefix) {
  auto entries = list_ring_directory(directory, prefix);
  if (!entries) return entries.error();
  RingRecovery recovery;
  for (const RingFileEntry& entry : *entries) {
    if (!entry.name.part) continue;
    auto recovered = recover_part_file(entry.path);
    if (recovered) {
      recovery.files.push_back(std::move(*recovered));
    } else {
      recovery.failures.push_back(recovered.error());
    }
  }
  return recovery;
}

}  // namespace tlsring::daemon
