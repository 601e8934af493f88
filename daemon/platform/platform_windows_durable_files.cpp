// durable_files.h on Windows: FlushFileBuffers, MoveFileExW, file mappings.
#include "daemon/platform/durable_files.h"
#include "daemon/platform/platform_windows_text.h"

namespace tlsring::platform {
namespace {

// "<what> <path>: <reason>" as the Linux side words it.
Error file_error(const std::string& what, DWORD code) { return make_error(what + ": " + windows_error_text(code)); }

class UniqueHandle {
 public:
  explicit UniqueHandle(HANDLE handle = INVALID_HANDLE_VALUE) : handle_(handle) {}
  ~UniqueHandle() {
    if (valid()) CloseHandle(handle_);
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  bool valid() const { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }
  HANDLE get() const { return handle_; }

 private:
  HANDLE handle_;
};

class MappedView final : public FileView {
 public:
  MappedView(const void* data, std::size_t size) : data_(data), size_(size) {}
  ~MappedView() override { UnmapViewOfFile(data_); }
  std::span<const std::uint8_t> bytes() const override { return {static_cast<const std::uint8_t*>(data_), size_}; }

 private:
  const void* data_;
  std::size_t size_;
};

class WindowsFileForRepair final : public FileForRepair {
 public:
  explicit WindowsFileForRepair(HANDLE file) : file_(file) {}

  Result<Kind> kind() const override {
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(file_.get(), &info)) return make_error(windows_error_text(GetLastError()));
    const bool regular = GetFileType(file_.get()) == FILE_TYPE_DISK &&
                         (info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) == 0;
    const std::uint64_t size = (std::uint64_t{info.nFileSizeHigh} << 32) | info.nFileSizeLow;
    return Kind{regular, size};
  }
  Result<std::unique_ptr<FileView>> map(std::uint64_t size) const override {
    if (size > SIZE_MAX) return make_error("too large to map on this system");
    // The view keeps the mapping alive: its handle can go at once.
    const UniqueHandle mapping(CreateFileMappingW(file_.get(), nullptr, PAGE_READONLY, 0, 0, nullptr));
    if (!mapping.valid()) return make_error(windows_error_text(GetLastError()));
    const void* data = MapViewOfFile(mapping.get(), FILE_MAP_READ, 0, 0, static_cast<SIZE_T>(size));
    if (data == nullptr) return make_error(windows_error_text(GetLastError()));
    return std::unique_ptr<FileView>(std::make_unique<MappedView>(data, static_cast<std::size_t>(size)));
  }
  Status truncate(std::uint64_t size) override {
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    if (!SetFileInformationByHandle(file_.get(), FileEndOfFileInfo, &end, sizeof end)) {
      return make_error(windows_error_text(GetLastError()));
    }
    return {};
  }
  Status sync() override {
    if (!FlushFileBuffers(file_.get())) return make_error(windows_error_text(GetLastError()));
    return {};
  }

 private:
  UniqueHandle file_;
};

}  // namespace

Status sync_directory(const std::filesystem::path&) {
  // NTFS journals directory changes, and the renames below write through:
  // there is no directory to flush (FlushFileBuffers on one needs backup
  // rights and adds nothing).
  return {};
}

Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
  // Without MOVEFILE_REPLACE_EXISTING, MoveFileExW fails when `to` exists.
  if (MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_WRITE_THROUGH)) return {};
  const DWORD code = GetLastError();
  std::string message = "cannot rename " + from.string() + " to " + to.string() + ": " + windows_error_text(code);
  if (code == ERROR_ALREADY_EXISTS || code == ERROR_FILE_EXISTS) {
    message += " (a file of that name exists already; move it away)";
  }
  return make_error(std::move(message));
}

Status remove_file(const std::filesystem::path& path) {
  if (!DeleteFileW(path.c_str())) return file_error("cannot remove " + path.string(), GetLastError());
  return {};
}

Status replace_file_contents(const std::filesystem::path& path, std::string_view text, unsigned) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    const UniqueHandle file(CreateFileW(tmp.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, CREATE_ALWAYS,
                                        FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.valid()) return file_error("cannot write " + tmp.string(), GetLastError());
    std::size_t done = 0;
    while (done < text.size()) {
      const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(text.size() - done, 1u << 30));
      DWORD written = 0;
      if (!WriteFile(file.get(), text.data() + done, chunk, &written, nullptr) || written == 0) {
        return file_error("cannot write " + tmp.string(), GetLastError());
      }
      done += written;
    }
    FlushFileBuffers(file.get());
  }
  if (!MoveFileExW(tmp.c_str(), path.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    return file_error("cannot rename " + tmp.string() + " to " + path.string(), GetLastError());
  }
  return {};
}

Result<std::unique_ptr<FileForRepair>> FileForRepair::open(const std::filesystem::path& path) {
  HANDLE file = CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                            OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return make_error(windows_error_text(GetLastError()));
  return std::unique_ptr<FileForRepair>(std::make_unique<WindowsFileForRepair>(file));
}

}  // namespace tlsring::platform
