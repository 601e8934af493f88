#include "config/duration.h"

#include <array>
#include <limits>

namespace tlsring::config {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};

// Largest first: the order a duration's parts must follow.
constexpr std::array<Unit, 7> kUnits{{
    {"d", 86'400'000'000'000},
    {"h", 3'600'000'000'000},
    {"m", 60'000'000'000},
    {"s", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
}};

constexpr std::string_view kAllowed =
    "allowed: whole numbers each followed by a unit (d, h, m, s, ms, us, ns), largest unit first, "
    "e.g. 90s, 30m, 1h30m, 500ms, 2d";

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

Error fail(std::string_view text, std::string_view what) {
  return make_error("'" + std::string(text) + "' " + std::string(what) + "; " + std::string(kAllowed));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

Result<std::int64_t> parse_duration_ns(std::string_view text) {
  if (text.empty()) return make_error("empty duration; " + std::string(kAllowed));
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return fail(text, "contains a space");
  }
  if (text.front() == '-') return fail(text, "is negative");

  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index into kUnits: parts must not go back up
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_digit(text[pos])) return fail(text, "is not a duration");
    // Digits: kept as "too large" rather than wrapped, so a long string of
    // digits is reported as what it is.
    std::int64_t number = 0;
    bool too_large = false;
    while (pos < text.size() && is_digit(text[pos])) {
      const int digit = text[pos] - '0';
      if (number > (kMax - digit) / 10) too_large = true;
      else number = number * 10 + digit;
      ++pos;
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      return fail(text, "has a fraction (use a smaller unit: 1h30m, not 1.5h)");
    }
    const std::size_t unit_start = pos;
    while (pos < text.size() && is_letter(text[pos])) ++pos;
    const std::string_view unit_name = text.substr(unit_start, pos - unit_start);
    if (unit_name.empty()) {
      return fail(text, pos == text.size() ? "has no unit after its last number (bare numbers are not allowed)"
                                           : "is not a duration");
    }
    std::size_t unit = 0;
    while (unit < kUnits.size() && kUnits[unit].name != unit_name) ++unit;
    if (unit == kUnits.size()) return fail(text, "has an unknown unit '" + std::string(unit_name) + "'");
    if (unit < next_unit) return fail(text, "repeats a unit or puts a smaller unit before a larger one");
    next_unit = unit + 1;
    const std::int64_t scale = kUnits[unit].ns;
    if (too_large || number > kMax / scale || total > kMax - number * scale) {
      return fail(text, "is too large (at most " + std::to_string(kMax / kUnits[0].ns) + "d)");
    }
    total += number * scale;
  }
  return total;
}

std::string format_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  // Magnitude in unsigned, so that INT64_MIN has one too.
  std::uint64_t rest = ns < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  if (ns < 0) out += '-';
  for (const Unit& unit : kUnits) {
    const auto scale = static_cast<std::uint64_t>(unit.ns);
    if (rest >= scale) {
      out += std::to_string(rest / scale);
      out += unit.name;
      rest %= scale;
    }
  }
  return out;
}

}  // namespace tlsring::config
