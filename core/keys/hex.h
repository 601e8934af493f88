// Hex text <-> bytes for key-log files (the parsers internal to core/keys), and
// lower-case hex of the values key-log lines are indexed by, for anyone.
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

}  // namespace tlsring::keys::detail

namespace tlsring::keys {

// Lower-case hex, as key-log lines write it.
std::string encode_hex(std::span<const std::uint8_t> bytes);

}  // namespace tlsring::keys
