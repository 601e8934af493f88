#include "daemon/cli/check_output_directory.h"

#include <optional>
#include <string>

#include "daemon/platform/file_access.h"
#include "daemon/ring/ring_directory.h"
#include "daemon/service/earlier_runs.h"

namespace tlsring::cli {
namespace fs = std::filesystem;
namespace {

// The directory itself, or the closest ancestor that exists (what mkdir -p
// would start from).
fs::path nearest_existing(const fs::path& directory) {
  fs::path at = directory;
  std::error_code error;
  while (!at.empty() && !fs::exists(at, error)) {
    const fs::path parent = at.parent_path();
    if (parent == at) break;
    at = parent;
  }
  return at;
}

// The results' directory (DIRECTORY/runs) when it is on a disk of its own:
// min_free_space holds there too, for decryption. Nothing when it does not
// exist yet or shares the output directory's disk (the line above covers it).
std::optional<CheckLine> results_disk_line(const fs::path& directory, const config::RotationConfig& rotation,
                                           const std::string& config_file) {
  const fs::path runs = directory / "runs";
  std::error_code error;
  if (!fs::is_directory(runs, error) || platform::same_filesystem(directory, runs).value_or(true)) return {};
  const Result<std::uint64_t> free = daemon::free_space(runs);
  if (!free.ok()) return warn_line("disk space for " + runs.string() + " (a disk of its own): " + free.error().message);
  const std::uint64_t free_bytes = *free;
  const std::string what = "disk space for " + runs.string() + ", the results' own disk: " + human_size(free_bytes) +
                           " free";
  if (free_bytes < rotation.min_free_space) {
    return fail_line(what + ", less than rotation.min_free_space " + human_size(rotation.min_free_space),
                     {"decryption would wait, writing no results, until that much is free there; the capture goes "
                      "on and keeps its files undecrypted",
                      "fix: free space on that disk (move earlier runs' results elsewhere), or lower "
                      "rotation.min_free_space in " + config_file});
  }
  return ok_line(what + " (rotation.min_free_space " + human_size(rotation.min_free_space) + " holds there too)");
}

}  // namespace

CheckLine free_space_line(const fs::path& directory, std::uint64_t free_bytes, const config::RotationConfig& rotation,
                          const std::string& config_file, std::uint64_t earlier_results) {
  const std::string what = "disk space for " + directory.string() + ": " + human_size(free_bytes) + " free";
  const std::uint64_t min_free = rotation.min_free_space;
  // Results are never deleted by the ring: moving them is the user's way to room.
  const std::string results =
      earlier_results == 0 ? std::string()
                           : "earlier runs' results take " + human_size(earlier_results) + " of it (" +
                                 (directory / "runs").string() + "), and grow with every run: the ring never "
                                 "deletes them";
  const std::string free_space =
      earlier_results == 0 ? "free space" : "free space (move earlier runs' results to another disk)";
  if (free_bytes < min_free) {
    std::vector<std::string> details{"the ring would delete each capture file as soon as it is written, and "
                                     "decryption would wait, writing no results"};
    if (!results.empty()) details.push_back(results);
    details.push_back("fix: " + free_space + " on that disk, lower rotation.min_free_space, or choose another "
                      "output.directory in " + config_file);
    return fail_line(what + ", less than rotation.min_free_space " + human_size(min_free), std::move(details));
  }
  if (rotation.max_total_size && free_bytes - min_free < *rotation.max_total_size) {
    std::vector<std::string> details{
        "the ring will be bounded by the free space (oldest files deleted early), not by max_total_size; lower "
        "max_total_size in " + config_file + " to at most " + human_size(free_bytes - min_free) + ", or " +
        free_space};
    if (!results.empty()) details.insert(details.begin(), results);
    return warn_line(what + ", less than rotation.max_total_size " + human_size(*rotation.max_total_size) +
                         " + min_free_space " + human_size(min_free),
                     std::move(details));
  }
  if (min_free == 0 && !rotation.max_total_size) {
    return warn_line(what + ", and neither rotation.min_free_space (0B) nor max_total_size bounds the ring",
                     {"the ring can fill this disk: once it is full, captured packets are not written until "
                      "space is free again",
                      "fix: set rotation.min_free_space (the default is 1GiB) or max_total_size in " + config_file});
  }
  std::string limits = "rotation.min_free_space " + human_size(min_free);
  if (rotation.max_total_size) limits += ", max_total_size " + human_size(*rotation.max_total_size);
  if (results.empty()) return ok_line(what + " (" + limits + ")");
  return ok_line(what + " (" + limits + ")", {results});
}

std::vector<CheckLine> check_output_directory(const config::ServiceConfig& config) {
  const fs::path& directory = config.output.directory;
  const std::string config_file = config.source.string();
  const std::string name = "output directory " + directory.string();
  std::vector<CheckLine> lines;
  std::error_code error;
  const fs::path existing = nearest_existing(directory);
  if (!fs::is_directory(existing, error)) {
    lines.push_back(fail_line(name + ": " + existing.string() + " is not a directory",
                              {"fix: choose another output.directory in " + config_file}));
    return lines;
  }
  if (existing == directory) {
    if (auto problem = platform::probe_write(directory)) {
      lines.push_back(fail_line(name + ": not writable by this user (" + *problem + ")",
                                {"fix: chown the directory to the user the service runs as, or choose another "
                                 "output.directory in " + config_file}));
    } else {
      lines.push_back(ok_line(name + ": exists, writable"));
    }
  } else if (!platform::may_create_files_in(existing)) {
    lines.push_back(fail_line(name + ": does not exist, and cannot be created: " + existing.string() +
                                  " is not writable by this user",
                              {"fix: create it (mkdir -p " + directory.string() +
                               ") and give it to the user the service runs as"}));
  } else {
    lines.push_back(ok_line(name + ": does not exist yet; it can be created in " + existing.string()));
  }
  const std::optional<CheckLine> results = results_disk_line(directory, config.rotation, config_file);
  const Result<std::uint64_t> free = daemon::free_space(existing);
  if (!free.ok()) {
    lines.push_back(warn_line("disk space for " + directory.string() + ": " + free.error().message));
  } else {
    const std::uint64_t free_bytes = *free;
    // Earlier runs' results take this disk only when runs/ is on it.
    const std::uint64_t earlier_results =
        results ? 0 : daemon::earlier_results_size(directory / "runs", std::string());
    lines.push_back(free_space_line(directory, free_bytes, config.rotation, config_file, earlier_results));
  }
  if (results) lines.push_back(std::move(*results));
  return lines;
}

}  // namespace tlsring::cli
