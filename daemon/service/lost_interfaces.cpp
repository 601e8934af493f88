#include "daemon/service/lost_interfaces.h"

#include "core/output/transcript_format.h"

namespace tlsring::daemon {

bool LostInterfaces::lost(const std::string& name, std::int64_t time_ns, const std::string& cause) {
  std::lock_guard lock(mutex_);
  Gone gone;
  gone.outage.interface_name = name;
  gone.outage.start_ns = time_ns;
  gone.outage.cause = cause;
  gone.told = ++outages_[name] <= kToldOutages;
  const bool told = gone.told;
  gone_.insert_or_assign(name, std::move(gone));
  return told;
}

namespace {

void count_untold(std::map<std::string, UntoldOutages>& untold, const InterfaceOutage& outage) {
  UntoldOutages& counted = untold[outage.interface_name];
  counted.interface_name = outage.interface_name;
  counted.add(outage.start_ns, outage.end_ns);
}

}  // namespace

std::optional<LostInterfaces::Ended> LostInterfaces::back(const std::string& name, std::int64_t time_ns) {
  std::lock_guard lock(mutex_);
  const auto found = gone_.find(name);
  if (found == gone_.end()) return std::nullopt;
  Ended ended{std::move(found->second.outage), found->second.told};
  gone_.erase(found);
  ended.outage.end_ns = time_ns;
  if (!ended.told) count_untold(untold_, ended.outage);
  return ended;
}

bool LostInterfaces::told_all(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto found = outages_.find(name);
  return found != outages_.end() && found->second >= kToldOutages;
}

bool LostInterfaces::telling(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto found = gone_.find(name);
  return found != gone_.end() && found->second.told;
}

LostInterfaces::AtStop LostInterfaces::end_at_stop(std::int64_t time_ns) {
  std::lock_guard lock(mutex_);
  AtStop at_stop;
  for (auto& [name, gone] : gone_) {
    gone.outage.end_ns = time_ns;
    gone.outage.until_stop = true;
    if (gone.told) {
      at_stop.still_gone.push_back(std::move(gone.outage));
    } else {
      count_untold(untold_, gone.outage);
    }
  }
  for (auto& [name, counted] : untold_) at_stop.untold.push_back(std::move(counted));
  gone_.clear();
  untold_.clear();
  return at_stop;
}

std::string LostInterfaces::names() const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& [name, gone] : gone_) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string LostInterfaces::status_text(const std::string& retry_every) const {
  std::lock_guard lock(mutex_);
  std::string text;
  for (const auto& [name, gone] : gone_) {
    if (!text.empty()) text += "; ";
    text += "capture on \"" + name + "\" stopped at " + output::format_utc_timestamp(gone.outage.start_ns) +
            ": " + gone.outage.cause + " (tried again every " + retry_every + ")";
  }
  return text;
}

}  // namespace tlsring::daemon
