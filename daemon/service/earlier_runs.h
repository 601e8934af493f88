// The service's runs before this one (output.directory/runs/START), whose
// keys.log and session-tickets.log a new run loads: a client may resume, by session ID, a session
// whose full handshake an earlier run decrypted, after a restart or in files
// queued at a stop and decrypted by the next start. Servers keep sessions
// for hours at most, so only runs started within a window count.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace tlsring::daemon {

// How long after a run started its sessions may still be resumed (SChannel
// keeps them 10 hours by default, OpenSSL 5 minutes).
constexpr std::int64_t kResumableForNs = std::int64_t{24} * 3600 * 1'000'000'000;

// Of `names` (entries of runs/), those that are a run's start time
// (YYYYMMDDTHHMMSSZ) from `window_ns` before `now_ns` up to `now_ns`
// excluded (the run starting now), oldest first. Pure.
std::vector<std::string> recent_run_names(std::span<const std::string> names, std::int64_t now_ns,
                                          std::int64_t window_ns);

// The files named `file_name` (keys.log, session-tickets.log) of the recent
// runs under `runs_dir` that have one, oldest first. A missing or unreadable
// runs_dir gives none.
std::vector<std::filesystem::path> recent_run_files(const std::filesystem::path& runs_dir,
                                                    const std::string& file_name, std::int64_t now_ns,
                                                    std::int64_t window_ns = kResumableForNs);

// Bytes of the regular files under `runs_dir` (every earlier run's results),
// leaving out the run directory named `this_run`. Unreadable entries count
// nothing; stops early, with what it has counted, when `stop` is requested.
std::uint64_t earlier_results_size(const std::filesystem::path& runs_dir, const std::string& this_run,
                                   std::stop_token stop = {});

// What earlier runs' results take, measured off the caller's thread (named
// tlsring-du, below normal priority): at once, then again every `interval`,
// so that results moved away during the run (as the disk messages advise)
// stop counting. bytes() is 0 until the first walk
// ends. The destructor stops the walk and joins it.
class EarlierResultsGauge {
 public:
  EarlierResultsGauge(std::filesystem::path runs_dir, std::string this_run,
                      std::chrono::milliseconds interval = std::chrono::minutes(10));
  std::uint64_t bytes() const { return bytes_.load(); }
  std::uint64_t walks() const { return walks_.load(); }  // walks completed

 private:
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> walks_{0};
  std::jthread walker_;  // last: it writes the members above
};

}  // namespace tlsring::daemon
