// WriteQueue: runs jobs (file writes) on a thread of its own, one after the
// other in the order they were queued, so that the threads that decrypt go on
// while the system copies their output. Bounded: push() waits while the jobs
// queued and not yet done add up to more than `max_queued_bytes` (the sizes
// the callers give), so memory stays flat however fast they produce. Small
// jobs gather before the thread is woken for them; wait_idle() runs them.
// The thread starts with the first job, from the thread that queues it, and
// so runs at that thread's priority (Linux threads inherit their creator's
// nice value): in the service, below normal, as decryption does.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tlsring::output {

class WriteQueue {
 public:
  explicit WriteQueue(std::size_t max_queued_bytes);
  // Runs every job still queued, then stops the thread.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Queues `job`, which writes about `bytes` bytes. A job larger than the
  // bound is queued once nothing else is.
  void push(std::function<void()> job, std::size_t bytes);
  // Returns once every job pushed before the call has run.
  void wait_idle();

 private:
  struct Job {
    std::function<void()> run;
    std::size_t bytes;
  };
  void run();
  bool worth_waking() const;  // with mutex_ held

  const std::size_t max_queued_bytes_;
  const std::size_t wake_bytes_;
  std::mutex mutex_;
  std::condition_variable work_;   // a job was queued, or stop
  std::condition_variable room_;   // a job finished
  std::deque<Job> jobs_;
  std::size_t queued_bytes_ = 0;   // queued and running
  bool running_job_ = false;
  int waiting_ = 0;                // callers waiting for room or for the queue to empty
  bool stop_ = false;
  std::thread thread_;             // started by the first push()
};

}  // namespace tlsring::output
