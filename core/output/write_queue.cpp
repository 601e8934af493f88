#include "core/output/write_queue.h"

#include <utility>

namespace tlsring::output {
namespace {

// The thread is woken once this many jobs wait (or a quarter of the bound
// in bytes): waking it for every small job would cost more than the job.
constexpr std::size_t kWakeJobs = 32;

}  // namespace

WriteQueue::WriteQueue(std::size_t max_queued_bytes)
    : max_queued_bytes_(max_queued_bytes), wake_bytes_(max_queued_bytes / 4) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool WriteQueue::worth_waking() const {
  if (stop_) return true;
  return !jobs_.empty() && (waiting_ > 0 || jobs_.size() >= kWakeJobs || queued_bytes_ >= wake_bytes_);
}

void WriteQueue::push(std::function<void()> job, std::size_t bytes) {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  const auto fits = [&] { return queued_bytes_ == 0 || queued_bytes_ + bytes <= max_queued_bytes_; };
  if (!fits()) {
    ++waiting_;  // the thread must not sleep on what is queued while we wait for room
    work_.notify_one();
    room_.wait(lock, fits);
    --waiting_;
  }
  jobs_.push_back({std::move(job), bytes});
  queued_bytes_ += bytes;
  if (worth_waking()) work_.notify_one();
}

void WriteQueue::wait_idle() {
  std::unique_lock lock(mutex_);
  ++waiting_;
  work_.notify_one();
  room_.wait(lock, [&] { return jobs_.empty() && !running_job_; });
  --waiting_;
}

void WriteQueue::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return worth_waking(); });
    if (jobs_.empty()) {
      if (stop_) return;  // and nothing left to do
      continue;
    }
    // Once awake, run everything queued before sleeping again.
    while (!jobs_.empty()) {
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      running_job_ = true;
      lock.unlock();
      job.run();
      job.run = nullptr;  // what the job holds goes before others wait on it
      lock.lock();
      running_job_ = false;
      queued_bytes_ -= job.bytes;
      room_.notify_all();
    }
  }
}

}  // namespace tlsring::output
