// `tlsring check`: the output directory - it exists or can be created, this
// user can write in it, and its disk has room for the ring.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "config/service_config.h"
#include "daemon/cli/check_report.h"

namespace tlsring::cli {

// The space verdict, a pure function: FAIL when `free_bytes` < min_free_space
// (the ring would delete every file it writes), warn when the disk cannot hold
// max_total_size on top of min_free_space (the ring is then bounded by free
// space, not by max_total_size) or when nothing bounds the ring by size
// (min_free_space 0 and no max_total_size: it can fill the disk), ok otherwise.
// `earlier_results` (bytes under output.directory/runs, which the ring never
// deletes) is named when there are any, and in the fix when space is short.
CheckLine free_space_line(const std::filesystem::path& directory, std::uint64_t free_bytes,
                          const config::RotationConfig& rotation, const std::string& config_file,
                          std::uint64_t earlier_results = 0);

// Probes the file system: the directory (or its nearest existing parent when it
// does not exist yet), a temporary file created and removed in it, statvfs.
std::vector<CheckLine> check_output_directory(const config::ServiceConfig& config);

}  // namespace tlsring::cli
