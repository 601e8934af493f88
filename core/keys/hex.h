// Hex text <-> bytes for key-log files (internal to core/keys).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tlsring::keys::detail {

// Upper- or lower-case digits, even count, nothing else; nullopt otherwise.
std::optional<std::vector<std::uint8_t>> decode_hex(std::string_view text);

// Position of the first character that is not a hex digit, or npos.
std::size_t find_non_hex(std::string_view text);

// Lower-case hex.
std::string encode_hex(std::span<const std::uint8_t> bytes);

}  // namespace tlsring::keys::detail
