#include "core/keys/read_file.h"

#include <cerrno>
#include <fstream>
#include <system_error>

namespace tlsring::keys::detail {

Result<std::string> read_file(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what) {
  const std::string name = path.string();
  std::error_code ec;
  // Opening a folder "succeeds" on POSIX and only reading fails, with a less clear message.
  if (std::filesystem::is_directory(path, ec)) {
    return make_error("cannot read " + name + ": it is a folder, not a file");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    // The C library sets errno on the failed open on every platform we build for.
    return make_error("cannot open " + name + ": " +
                      (err != 0 ? std::generic_category().message(err) : std::string("cannot be opened")));
  }
  std::string contents;
  // Sized once from the file's size (when known and within bounds): growing
  // by appends copies and faults the pages in again and again.
  if (const std::uintmax_t size = std::filesystem::file_size(path, ec); !ec && size <= max_bytes) {
    contents.reserve(static_cast<std::size_t>(size) + 1);
  }
  char chunk[64 * 1024];
  while (in) {
    in.read(chunk, sizeof chunk);
    contents.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (contents.size() > max_bytes) {
      return make_error(name + ": larger than " + std::to_string(max_bytes) + " bytes, too large for " + what);
    }
  }
  if (in.bad()) return make_error("cannot read " + name + ": read error");
  return contents;
}

}  // namespace tlsring::keys::detail
