#include "daemon/service/results_disk_wait.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "config/size.h"
#include "daemon/service/capture_notes.h"

namespace tlsring::daemon {

std::string describe_decryption_waits(const DecryptionWaits& waits) {
  // What the stop left, when the disk was still short then.
  std::string left;
  if (waits.refused_bytes > 0) {
    left += ", so " + config::human_size(waits.refused_bytes) +
            " of results were left unwritten rather than fill that disk: the transcripts and decrypted bytes of "
            "the connections open then are incomplete";
    if (waits.files_cut > 0) {
      left += ", and the capture file being decrypted then stays in the ring undecrypted: it is decrypted again "
              "after the next start, or now with tlsring decrypt and this run's keys.log";
    }
  }
  if (waits.files_left > 0) {
    left += ", and " + std::to_string(waits.files_left) +
            " capture file(s) were left undecrypted in the ring: they are decrypted after the next start, or "
            "now with tlsring decrypt and this run's keys.log";
  }
  if (waits.count == 0) {
    // No wait began: the disk ran short just as the stop came.
    return left.empty() ? std::string() : "at the stop, " + waits.first_reason + left;
  }
  std::string text = "waited " + std::to_string(waits.count) + " time(s), " + outage_length(0, waits.waited_ns) +
                     " in all, for room to write results: " + waits.first_reason;
  if (!left.empty()) text += "; at the stop it still waited" + left;
  return text;
}

ResultsDiskWait::ResultsDiskWait(std::function<std::string()> reason, std::chrono::milliseconds recheck)
    : reason_(std::move(reason)), recheck_(recheck) {}

bool ResultsDiskWait::wait_before_file() {
  // Once one file is left waiting at a stop, the later ones are left too:
  // the next start decrypts them in their order.
  if (waits_.files_left > 0) return false;
  return wait_while_short();
}

bool ResultsDiskWait::before_write(std::uint64_t bytes) {
  // Once a block was refused, so are the rest: a connection's files then end
  // short, rather than go on after a hole should the disk have room again.
  if (refused_bytes_ == 0) {
    unlooked_bytes_ += bytes;
    if (unlooked_bytes_ < kLookEvery) return true;
    unlooked_bytes_ = 0;
    if (wait_while_short()) return true;
  }
  refused_bytes_ += bytes;
  return false;
}

bool ResultsDiskWait::wait_while_short() {
  if (!reason_) return true;
  std::string reason = reason_();
  if (reason.empty()) return true;
  if (stopping_) {
    if (waits_.first_reason.empty()) waits_.first_reason = reason;  // for the summary
    return false;
  }
  // Where the results share the ring's disk, a short wait until the ring's
  // next deletion is the usual way of a full disk: told in full once a run.
  if (waits_.count++ == 0) {
    waits_.first_reason = reason;
    spdlog::warn("{} (told in full once a run)", reason);
  } else {
    spdlog::info("decryption waits again for the results' disk to have min_free_space free");
    spdlog::debug("{}", reason);
  }
  const auto began = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  waiting_for_ = reason;
  // Asked again at each recheck, when the ring freed space, and once more at
  // a stop (the ring's last check may just have freed it).
  for (bool last_look = false; !reason.empty() && !last_look;) {
    wake_.wait_for(lock, recheck_, [this] { return stopping_.load() || look_again_; });
    look_again_ = false;
    last_look = stopping_;
    lock.unlock();
    reason = reason_();
    lock.lock();
    if (!reason.empty()) waiting_for_ = reason;
  }
  waiting_for_.clear();
  lock.unlock();
  const std::int64_t waited =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - began).count();
  waits_.waited_ns += waited;
  if (!reason.empty()) return false;
  spdlog::info("decryption goes on: the results' disk has min_free_space free again, after {} of waiting",
               outage_length(0, waited));
  return true;
}

// Under the mutex, so that a wait between its look at stopping_ and its sleep
// cannot miss the wake-up.
void ResultsDiskWait::end_waits() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void ResultsDiskWait::look_again() {
  {
    std::lock_guard lock(mutex_);
    look_again_ = true;
  }
  wake_.notify_all();
}

std::string ResultsDiskWait::waiting_for() const {
  std::lock_guard lock(mutex_);
  return waiting_for_;
}

DecryptionWaits ResultsDiskWait::waits() const {
  DecryptionWaits waits = waits_;
  waits.refused_bytes = refused_bytes_;
  return waits;
}

}  // namespace tlsring::daemon
