#include "daemon/service/lost_interfaces.h"

#include "core/output/transcript_format.h"

namespace tlsring::daemon {

void LostInterfaces::lost(const std::string& name, std::int64_t time_ns, const std::string& cause) {
  std::lock_guard lock(mutex_);
  InterfaceOutage outage;
  outage.interface_name = name;
  outage.start_ns = time_ns;
  outage.cause = cause;
  gone_.insert_or_assign(name, std::move(outage));
}

std::optional<InterfaceOutage> LostInterfaces::back(const std::string& name, std::int64_t time_ns) {
  std::lock_guard lock(mutex_);
  const auto found = gone_.find(name);
  if (found == gone_.end()) return std::nullopt;
  InterfaceOutage outage = std::move(found->second);
  gone_.erase(found);
  outage.end_ns = time_ns;
  return outage;
}

std::vector<InterfaceOutage> LostInterfaces::end_at_stop(std::int64_t time_ns) {
  std::lock_guard lock(mutex_);
  std::vector<InterfaceOutage> ended;
  for (auto& [name, outage] : gone_) {
    outage.end_ns = time_ns;
    outage.until_stop = true;
    ended.push_back(std::move(outage));
  }
  gone_.clear();
  return ended;
}

std::string LostInterfaces::status_text(const std::string& retry_every) const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& [name, outage] : gone_) {
    if (!text.empty()) text += "; ";
    text += "capture on \"" + name + "\" stopped at " + output::format_utc_timestamp(outage.start_ns) + ": " +
            outage.cause + " (tried again every " + retry_every + ")";
  }
  return text;
}

}  // namespace tlsring::daemon
