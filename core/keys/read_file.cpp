#include "core/keys/read_file.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

namespace tlsring::keys::detail {
namespace {

std::FILE* open_for_reading(const std::filesystem::path& path) {
#ifdef _WIN32
  return _wfopen(path.c_str(), L"rb");  // the path as Windows spells it, whatever the code page
#else
  return std::fopen(path.c_str(), "rb");
#endif
}

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

Status read_file_in_pieces(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what,
                           const std::function<Status(std::string_view)>& on_piece) {
  const std::string name = path.string();
  std::error_code ec;
  // Opening a folder "succeeds" on POSIX and only reading fails, with a less clear message.
  if (std::filesystem::is_directory(path, ec)) {
    return make_error("cannot read " + name + ": it is a folder, not a file");
  }
  errno = 0;
  const std::unique_ptr<std::FILE, CloseFile> in(open_for_reading(path));
  if (!in) {
    const int err = errno;
    // The C library sets errno on the failed open on every platform we build for.
    return make_error("cannot open " + name + ": " +
                      (err != 0 ? std::generic_category().message(err) : std::string("cannot be opened")));
  }
  // One buffer, reused: a large file is never held whole (its pages would
  // each be faulted in once, and on a virtual machine that is most of the cost).
  std::array<char, 64 * 1024> piece;
  std::uintmax_t total = 0;
  for (;;) {
    const std::size_t got = std::fread(piece.data(), 1, piece.size(), in.get());
    if (got == 0) break;
    total += got;
    if (total > max_bytes) {
      return make_error(name + ": larger than " + std::to_string(max_bytes) + " bytes, too large for " + what);
    }
    if (Status status = on_piece(std::string_view(piece.data(), got)); !status) return status;
  }
  if (std::ferror(in.get())) return make_error("cannot read " + name + ": read error");
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what) {
  std::string contents;
  std::error_code ec;
  if (const std::uintmax_t size = std::filesystem::file_size(path, ec); !ec && size <= max_bytes) {
    contents.reserve(static_cast<std::size_t>(size));
  }
  Status read = read_file_in_pieces(path, max_bytes, what, [&](std::string_view piece) -> Status {
    contents.append(piece);
    return {};
  });
  if (!read) return read.error();
  return contents;
}

}  // namespace tlsring::keys::detail
