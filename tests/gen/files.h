// Whole-file writes for the generator's outputs (key log, PEM files, manifest,
// plaintext per connection). Errors name the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/result.h"

namespace tlsring::testgen {

// Creates or replaces `path` with `data`, file mode `mode` (e.g. 0600 for keys).
Status write_file(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                  unsigned mode = 0644);
Status write_file(const std::filesystem::path& path, std::string_view text, unsigned mode = 0644);

}  // namespace tlsring::testgen
