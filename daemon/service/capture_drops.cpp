#include "daemon/service/capture_drops.h"

#include <algorithm>
#include <utility>

namespace tlsring::daemon {

namespace {

void extend(DropEpisode& episode, std::int64_t to_ns, std::uint64_t kernel, std::uint64_t writer) {
  episode.to_ns = to_ns;
  episode.kernel += kernel;
  episode.writer += writer;
}

}  // namespace

CaptureDrops::CaptureDrops(std::int64_t capture_start_ns, std::int64_t counters_lag_ns) : lag_ns_(counters_lag_ns) {
  last_.as_of_ns = capture_start_ns;
}

CaptureDrops::Found CaptureDrops::look(const DropCounts& counts) {
  std::lock_guard lock(mutex_);
  return look_locked(counts);
}

CaptureDrops::Found CaptureDrops::look_before_handing_on(const DropCounts& counts) {
  std::lock_guard lock(mutex_);
  Found found = look_locked(counts);
  if (open_ && open_->told && open_->part) found.part = std::exchange(open_->part, std::nullopt);
  return found;
}

CaptureDrops::Found CaptureDrops::look_at_stop(const DropCounts& counts) {
  std::lock_guard lock(mutex_);
  Found found = look_locked(counts);
  if (!open_) return found;
  Found ended = end_locked();
  if (found.started) ended.started = found.started;  // it started and ended at this last look
  return ended;
}

std::optional<DropEpisode> CaptureDrops::under_way() const {
  std::lock_guard lock(mutex_);
  if (!open_) return std::nullopt;
  return open_->whole;
}

UntoldOutages CaptureDrops::untold() const {
  std::lock_guard lock(mutex_);
  return untold_;
}

CaptureDrops::Found CaptureDrops::look_locked(const DropCounts& counts) {
  // Counters only grow; a smaller one (never seen) is taken as no news.
  const std::uint64_t kernel = counts.kernel > last_.kernel ? counts.kernel - last_.kernel : 0;
  const std::uint64_t writer = counts.writer > last_.writer ? counts.writer - last_.writer : 0;
  const std::int64_t since_ns = last_.as_of_ns;
  last_.kernel = std::max(last_.kernel, counts.kernel);
  last_.writer = std::max(last_.writer, counts.writer);
  last_.as_of_ns = std::max(last_.as_of_ns, counts.as_of_ns);

  Found found;
  if (kernel == 0 && writer == 0) {
    if (open_) found = end_locked();
    return found;
  }
  if (open_) {
    extend(open_->whole, last_.as_of_ns, kernel, writer);
    if (open_->part) {
      extend(*open_->part, last_.as_of_ns, kernel, writer);
    } else {
      open_->part = DropEpisode{since_ns, last_.as_of_ns, kernel, writer};
    }
    return found;
  }
  // The packets counted now were dropped since the previous look, or a
  // little before it: the counters it saw may have been that old.
  const DropEpisode episode{since_ns - lag_ns_, last_.as_of_ns, kernel, writer};
  open_ = Open{episode, episode, ++episodes_ <= kToldEpisodes};
  found.told = open_->told;
  found.started = episode;
  return found;
}

CaptureDrops::Found CaptureDrops::end_locked() {
  Found found;
  found.told = open_->told;
  found.ended = open_->whole;
  if (open_->told) {
    found.part = open_->part;
  } else {
    untold_.add(open_->whole.from_ns, open_->whole.to_ns, open_->whole.kernel + open_->whole.writer);
  }
  open_.reset();
  return found;
}

}  // namespace tlsring::daemon
