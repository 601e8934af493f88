// Listing a capture ring: the files of one prefix in a directory, as
// capture_file_name() names them. Mechanism (reads the directory).
//
// Contract:
//  - list_ring_directory(dir, prefix) returns every regular file of `dir`
//    whose name parses with parse_capture_file_name(name, prefix), finished
//    and `.part` alike, sorted by sequence (then by name); other files and
//    subdirectories are ignored. It fails, naming the directory, only when the
//    directory cannot be read.
//  - next_free_sequence(entries) is one past the highest sequence listed (1 for
//    an empty ring), the first sequence a new run can use without a clash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "daemon/ring/capture_file_name.h"

namespace tlsring::daemon {

struct RingFileEntry {
  std::filesystem::path path;
  CaptureFileName name;
  std::uint64_t size = 0;  // bytes
};

Result<std::vector<RingFileEntry>> list_ring_directory(const std::filesystem::path& directory,
                                                       std::string_view prefix);

std::uint64_t next_free_sequence(std::span<const RingFileEntry> entries);

// The bytes an unprivileged writer may still put on the filesystem of
// `directory`, or the reason that cannot be asked.
Result<std::uint64_t> free_space(const std::filesystem::path& directory);

}  // namespace tlsring::daemon
