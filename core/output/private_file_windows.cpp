// PrivateFile and PrivateDirectory on Windows (private_file.h), through the C
// runtime's wide-character calls (_wmkdir, _wopen, _write, _commit), so that
// a file is a descriptor as on POSIX and any path opens.
//
// Privacy: Windows has no mode bits to set. A file or directory made here
// gets, atomically at its creation, the ACL its parent directory passes on
// (CreateFileW / CreateDirectoryW with no security descriptor, which is what
// _wopen and _wmkdir call). tlsring's directories live under
// %ProgramData%\tlsring, whose ACL the installer restricts to SYSTEM and
// Administrators (daemon/platform/WINDOWS.md, step 3): everything below it is
// as private as a 0600 file on Linux, with no moment when it is wider.
#include "core/output/private_file.h"

#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tlsring::output {

Status create_private_directory(const std::filesystem::path& path) {
  // Each missing part, by _wmkdir underneath (a \\server\share root is used, never made).
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return make_error("cannot create directory " + path.string() + ": " + ec.message());
  return {};
}

Result<PrivateDirectory> PrivateDirectory::open(const std::filesystem::path& path) {
  struct _stat64 info {};
  if (_wstat64(path.c_str(), &info) != 0) {
    return make_error("cannot open directory " + path.string() + ": " + std::strerror(errno));
  }
  if ((info.st_mode & _S_IFMT) != _S_IFDIR) {
    return make_error("cannot open directory " + path.string() + ": " + std::strerror(ENOTDIR));
  }
  return PrivateDirectory(-1, path);
}

Result<PrivateFile> PrivateFile::open(const std::filesystem::path& path, bool truncate) {
  const int flags = _O_WRONLY | _O_APPEND | _O_CREAT | _O_BINARY | _O_NOINHERIT | (truncate ? _O_TRUNC : 0);
  // The mode only decides the read-only attribute; the ACL is inherited.
  const int fd = _wopen(path.c_str(), flags, _S_IREAD | _S_IWRITE);
  if (fd < 0) return make_error("cannot open " + path.string() + " for writing: " + std::strerror(errno));
  return PrivateFile(fd, path);
}

Result<PrivateFile> PrivateFile::open_in(const PrivateDirectory& directory, std::string_view name, bool truncate) {
  return open(directory.path() / std::string(name), truncate);
}

Status PrivateFile::write(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    // _write takes an unsigned count: at most 1 GiB at a time.
    const auto count = static_cast<unsigned>(std::min<std::size_t>(bytes.size() - done, std::size_t{1} << 30));
    const int n = _write(fd_.get(), bytes.data() + done, count);
    if (n < 0) return make_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status PrivateFile::write_pieces(std::span<const std::span<const std::uint8_t>> pieces) {
  for (const auto& piece : pieces) {
    if (Status written = write(piece); !written.ok()) return written;
  }
  return {};
}

Status PrivateFile::sync() {
  if (_commit(fd_.get()) != 0) return make_error("cannot sync " + path_.string() + ": " + std::strerror(errno));
  return {};
}

}  // namespace tlsring::output
