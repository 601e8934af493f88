#include "daemon/ring/capture_file_name.h"

#include <chrono>
#include <cstdio>
#include <limits>

namespace tlsring::daemon {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::size_t kMinSequenceDigits = 6;
constexpr std::size_t kCompactTimeSize = 16;  // YYYYMMDDTHHMMSSZ

// Rounds toward minus infinity, so that a time before 1970 names the second it lies in.
std::int64_t floor_seconds(std::int64_t ns) {
  std::int64_t s = ns / kNsPerSecond;
  if (ns % kNsPerSecond < 0) --s;
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::optional<std::uint64_t> parse_decimal(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_utc_compact_time(std::string_view text) {
  if (text.size() != kCompactTimeSize || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto field = [&](std::size_t at, std::size_t n) { return parse_decimal(text.substr(at, n)); };
  const auto year = field(0, 4), month = field(4, 2), day = field(6, 2);
  const auto hour = field(9, 2), minute = field(11, 2), second = field(13, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;  // 20260230, month 13, ...
  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + static_cast<std::int64_t>(*hour * 3600 + *minute * 60 + *second);
  // int64 nanoseconds reach from 1677 to 2262; a name outside cannot be a time we wrote.
  if (seconds > std::numeric_limits<std::int64_t>::max() / kNsPerSecond ||
      seconds < std::numeric_limits<std::int64_t>::min() / kNsPerSecond) {
    return std::nullopt;
  }
  return seconds * kNsPerSecond;
}

bool is_valid_capture_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 64 || prefix.front() == '.' || prefix.front() == '-') {
    return false;
  }
  for (char c : prefix) {
    const bool ok = is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string utc_compact_time(std::int64_t time_ns) {
  const std::int64_t seconds = floor_seconds(time_ns);
  std::int64_t days = seconds / 86400;
  std::int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  return text;
}

std::string capture_file_name(std::string_view prefix, std::uint64_t sequence,
                              std::int64_t start_ns, capture::CaptureFormat format) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(sequence));
  std::string name;
  name.reserve(prefix.size() + 40);
  name.append(prefix).append("-").append(digits).append("-");
  name.append(utc_compact_time(start_ns)).append(".").append(capture::format_extension(format));
  return name;
}

std::optional<CaptureFileName> parse_capture_file_name(std::string_view filename,
                                                       std::string_view prefix) {
  CaptureFileName out;
  if (filename.size() > kPartSuffix.size() && filename.ends_with(kPartSuffix)) {
    out.part = true;
    filename.remove_suffix(kPartSuffix.size());
  }
  if (prefix.empty() || !filename.starts_with(prefix) || filename.size() <= prefix.size() ||
      filename[prefix.size()] != '-') {
    return std::nullopt;
  }
  filename.remove_prefix(prefix.size() + 1);

  const std::size_t dash = filename.find('-');
  if (dash == std::string_view::npos || dash < kMinSequenceDigits) return std::nullopt;
  // Only the padding up to 6 digits is ours: "0000042" is not a name we write.
  if (dash > kMinSequenceDigits && filename.front() == '0') return std::nullopt;
  const auto sequence = parse_decimal(filename.substr(0, dash));
  if (!sequence) return std::nullopt;
  out.sequence = *sequence;
  filename.remove_prefix(dash + 1);

  if (filename.size() < kCompactTimeSize + 1 || filename[kCompactTimeSize] != '.') return std::nullopt;
  const auto start = parse_utc_compact_time(filename.substr(0, kCompactTimeSize));
  if (!start) return std::nullopt;
  out.start_ns = *start;

  const std::string_view extension = filename.substr(kCompactTimeSize + 1);
  if (extension == "pcapng") {
    out.format = capture::CaptureFormat::pcapng;
  } else if (extension == "pcap") {
    out.format = capture::CaptureFormat::pcap_micro;
  } else {
    return std::nullopt;
  }
  return out;
}

}  // namespace tlsring::daemon
