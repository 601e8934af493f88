// A path as UTF-8 text, for messages and for the UTF-8 strings of platform.h.
// path::string() would use the ANSI code page on Windows (and may throw on a
// name it cannot represent); u8string() is UTF-8 on both systems.
#pragma once

#include <filesystem>
#include <string>

namespace tlsring::platform {

inline std::string utf8_path(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(reinterpret_cast<const char*>(text.data()), text.size());
}

inline std::filesystem::path path_from_utf8(const std::string& text) {
  return std::filesystem::path(std::u8string(reinterpret_cast<const char8_t*>(text.data()), text.size()));
}

}  // namespace tlsring::platform
