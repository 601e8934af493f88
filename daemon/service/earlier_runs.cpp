#include "daemon/service/earlier_runs.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <utility>

#include "daemon/platform/process.h"
#include "daemon/ring/capture_file_name.h"

namespace tlsring::daemon {

std::vector<std::string> recent_run_names(std::span<const std::string> names, std::int64_t now_ns,
                                          std::int64_t window_ns) {
  std::vector<std::pair<std::int64_t, std::string>> recent;
  for (const std::string& name : names) {
    const auto started = parse_utc_compact_time(name);
    if (started && *started < now_ns && *started >= now_ns - window_ns) recent.emplace_back(*started, name);
  }
  std::sort(recent.begin(), recent.end());
  std::vector<std::string> out;
  out.reserve(recent.size());
  for (auto& [started, name] : recent) out.push_back(std::move(name));
  return out;
}

std::vector<std::filesystem::path> recent_run_files(const std::filesystem::path& runs_dir,
                                                    const std::string& file_name, std::int64_t now_ns,
                                                    std::int64_t window_ns) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(runs_dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::vector<std::filesystem::path> files;
  for (const std::string& name : recent_run_names(names, now_ns, window_ns)) {
    const std::filesystem::path file = runs_dir / name / file_name;
    if (std::filesystem::is_regular_file(file, ec)) files.push_back(file);
  }
  return files;
}

std::uint64_t earlier_results_size(const std::filesystem::path& runs_dir, const std::string& this_run,
                                   std::stop_token stop) {
  namespace fs = std::filesystem;
  std::uint64_t bytes = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(runs_dir, fs::directory_options::skip_permission_denied, ec);
  for (const fs::recursive_directory_iterator end; !ec && it != end && !stop.stop_requested(); it.increment(ec)) {
    if (it.depth() == 0 && it->path().filename() == this_run) {
      it.disable_recursion_pending();
      continue;
    }
    std::error_code entry_error;
    if (!it->is_regular_file(entry_error)) continue;
    const std::uintmax_t size = it->file_size(entry_error);
    if (!entry_error) bytes += size;
  }
  return bytes;
}

EarlierResultsGauge::EarlierResultsGauge(std::filesystem::path runs_dir, std::string this_run,
                                         std::chrono::milliseconds interval)
    : walker_([this, runs_dir = std::move(runs_dir), this_run = std::move(this_run), interval](std::stop_token stop) {
        // Days of results are many files to look at: below the capture's priority, as decryption is.
        platform::name_current_thread("tlsring-du");
        (void)platform::lower_current_thread_priority();
        std::mutex mutex;
        std::condition_variable_any wake;
        while (!stop.stop_requested()) {
          const std::uint64_t measured = earlier_results_size(runs_dir, this_run, stop);
          if (stop.stop_requested()) break;
          bytes_.store(measured);
          ++walks_;
          std::unique_lock lock(mutex);
          wake.wait_for(lock, stop, interval, [] { return false; });
        }
      }) {}

}  // namespace tlsring::daemon
