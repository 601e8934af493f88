#include "config/size.h"

#include <array>
#include <cstdio>
#include <limits>

namespace tlsring::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t bytes;
};

constexpr std::array<Unit, 9> kUnits{{
    {"B", 1},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
    {"KiB", kKiB},
    {"MiB", kMiB},
    {"GiB", kGiB},
    {"TiB", kTiB},
}};

constexpr std::string_view kAllowed =
    "allowed: a whole number followed by a unit: B, KB, MB, GB, TB (powers of 1000) or "
    "KiB, MiB, GiB, TiB (powers of 1024), e.g. 500MiB, 2GiB, 10MB, 4096B";

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

Error fail(std::string_view text, std::string_view what) {
  return make_error("'" + std::string(text) + "' " + std::string(what) + "; " + std::string(kAllowed));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::uint64_t> parse_size_bytes(std::string_view text) {
  if (text.empty()) return make_error("empty size; " + std::string(kAllowed));
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return fail(text, "contains a space");
  }
  if (text.front() == '-') return fail(text, "is negative");
  if (!is_digit(text.front())) return fail(text, "is not a size");

  std::size_t pos = 0;
  std::uint64_t number = 0;
  bool too_large = false;
  while (pos < text.size() && is_digit(text[pos])) {
    const auto digit = static_cast<std::uint64_t>(text[pos] - '0');
    if (number > (kMax - digit) / 10) too_large = true;
    else number = number * 10 + digit;
    ++pos;
  }
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    return fail(text, "has a fraction (use a smaller unit: 1536MiB, not 1.5GiB)");
  }
  const std::string_view unit_name = text.substr(pos);
  if (unit_name.empty()) return fail(text, "has no unit (bare numbers are not allowed; write 4096B for bytes)");
  const Unit* unit = nullptr;
  for (const Unit& candidate : kUnits) {
    if (candidate.name == unit_name) unit = &candidate;
  }
  if (unit == nullptr) return fail(text, "has an unknown unit '" + std::string(unit_name) + "'");
  if (too_large || number > kMax / unit->bytes) {
    return fail(text, "is too large (at most " + std::to_string(kMax / kTiB) + "TiB)");
  }
  return number * unit->bytes;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0B";
  const Unit* best = &kUnits[0];
  // Binary units come last in kUnits and `<=` lets them win a tie.
  for (const Unit& unit : kUnits) {
    if (bytes % unit.bytes == 0 && bytes / unit.bytes <= bytes / best->bytes) best = &unit;
  }
  return std::to_string(bytes / best->bytes) + std::string(best->name);
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kNames)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, kNames[unit]);
  return text;
}

}  // namespace tlsring::config
