// Reads a key or key-log file (internal to core/keys): whole into memory, or
// in pieces for a parser that keeps only what it extracts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::keys::detail {

// Calls `on_piece` with the file's bytes in order, a piece of up to 64 KiB at
// a time, and stops at its first error. Errors name the path: "cannot open
// PATH: No such file or directory", "cannot read PATH: it is a folder, not a
// file", "PATH: larger than N bytes, too large for <what>".
Status read_file_in_pieces(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what,
                           const std::function<Status(std::string_view)>& on_piece);

// The file's bytes, with the errors of read_file_in_pieces.
Result<std::string> read_file(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what);

}  // namespace tlsring::keys::detail
