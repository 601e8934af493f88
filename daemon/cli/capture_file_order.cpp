#include "daemon/cli/capture_file_order.h"

#include <map>

#include "core/output/transcript_format.h"

namespace tlsring::cli {
namespace {

std::string describe_duration(std::int64_t ns) {
  const std::int64_t seconds = ns / 1'000'000'000;
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 2 * 3600) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

}  // namespace

Status check_each_capture_once(const std::vector<std::filesystem::path>& captures,
                               const std::vector<std::filesystem::path>& identities) {
  std::map<std::filesystem::path, std::size_t> first_position;
  for (std::size_t i = 0; i < captures.size() && i < identities.size(); ++i) {
    if (identities[i].empty()) continue;
    const auto [at, inserted] = first_position.emplace(identities[i], i);
    if (inserted) continue;
    const std::string earlier = captures[at->second].string();
    const std::string same = earlier == captures[i].string() ? "" : " (the same file as " + earlier + ")";
    return make_error(captures[i].string() + " is given twice" + same + ", as capture files " +
                      std::to_string(at->second + 1) + " and " + std::to_string(i + 1) +
                      ": the files are read as one capture, so give each once, in capture order");
  }
  return {};
}

Status check_each_capture_once(const std::vector<std::filesystem::path>& captures) {
  std::vector<std::filesystem::path> identities;
  for (const auto& capture : captures) {
    std::error_code error;
    identities.push_back(std::filesystem::canonical(capture, error));  // empty on error
  }
  return check_each_capture_once(captures, identities);
}

std::optional<std::string> capture_order_warning(const decrypt::FileSummary& previous,
                                                 const decrypt::FileSummary& next) {
  if (previous.packets == 0 || next.packets == 0) return std::nullopt;
  const std::int64_t earlier_by = previous.last_timestamp_ns - next.first_timestamp_ns;
  if (earlier_by <= kCaptureOrderToleranceNs) return std::nullopt;
  return next.path.string() + ": its first packet (" + output::format_utc_timestamp(next.first_timestamp_ns) +
         ") is " + describe_duration(earlier_by) + " older than the last packet of " + previous.path.string() +
         " (" + output::format_utc_timestamp(previous.last_timestamp_ns) +
         "), read before it: the files are read as one capture in the order given, so a connection that goes "
         "on from one to the other cannot be followed; give the files in capture order (a tlsring ring: sorted "
         "by name), unless the capturing host's clock was set back";
}

std::optional<std::string> capture_order_warning(const std::vector<decrypt::FileSummary>& read_before,
                                                 const decrypt::FileSummary& next) {
  for (auto file = read_before.rbegin(); file != read_before.rend(); ++file) {
    if (file->packets > 0) return capture_order_warning(*file, next);
  }
  return std::nullopt;
}

}  // namespace tlsring::cli
