// Reads a whole key or key-log file into memory (internal to core/keys).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/result.h"

namespace tlsring::keys::detail {

// The file's bytes. Errors name the path: "cannot open PATH: No such file or
// directory", "cannot read PATH: it is a folder, not a file", "PATH: larger
// than N bytes, too large for <what>".
Result<std::string> read_file(const std::filesystem::path& path, std::uintmax_t max_bytes, const char* what);

}  // namespace tlsring::keys::detail
