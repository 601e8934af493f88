// Names of the files in a capture ring: a prefix, a sequence number and the
// UTC time the file was opened, e.g. `tlsring-000042-20261206T033000Z.pcapng`,
// with `.part` appended while the file is being written. Pure functions.
//
// Contract:
//  - capture_file_name(prefix, sequence, start_ns, format) is
//    PREFIX-SEQUENCE-YYYYMMDDTHHMMSSZ.EXT: SEQUENCE is decimal, zero-padded to
//    at least 6 digits (more when larger), the time is start_ns rounded down to
//    the second (UTC), EXT is format_extension(format) ("pcap" or "pcapng").
//    The prefix must satisfy is_valid_capture_prefix() (the caller checks).
//  - parse_capture_file_name(filename, prefix) accepts exactly such a name,
//    with or without `.part`, and nothing else (another prefix, a sequence of
//    fewer than 6 digits or beyond 2^64-1, an impossible date, another
//    extension). `.pcap` parses as pcap_micro: pcap_nano files share the
//    extension and a reader tells them apart by content.
//  - parse(name(p, s, t, f)) gives back {s, t rounded down to the second, f, false}
//    for every valid prefix, every s and every t from year 1970 to 9999
//    (f = pcap_nano comes back as pcap_micro).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/capture/capture_writer.h"

namespace tlsring::daemon {

inline constexpr std::string_view kPartSuffix = ".part";

struct CaptureFileName {
  std::uint64_t sequence = 0;
  std::int64_t start_ns = 0;  // UTC, whole seconds (a multiple of 1e9)
  capture::CaptureFormat format = capture::CaptureFormat::pcapng;
  bool part = false;  // still being written, or left behind by a crash
};

// A prefix is 1 to 64 characters of [A-Za-z0-9._-], not starting with '.' or
// '-', so that it can neither leave the directory nor hide the file.
bool is_valid_capture_prefix(std::string_view prefix);

std::string capture_file_name(std::string_view prefix, std::uint64_t sequence,
                              std::int64_t start_ns, capture::CaptureFormat format);

std::optional<CaptureFileName> parse_capture_file_name(std::string_view filename,
                                                       std::string_view prefix);

// "20261206T033000Z" for a time in ns since the epoch (rounded down to the second).
std::string utc_compact_time(std::int64_t time_ns);
// The time utc_compact_time() wrote, or nullopt when `text` is not exactly such a time.
std::optional<std::int64_t> parse_utc_compact_time(std::string_view text);

}  // namespace tlsring::daemon
