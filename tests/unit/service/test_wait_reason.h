// TestWaitReason: DecryptorOptions::wait_reason (and ResultsDiskWait's reason)
// as a test sets it: `reason` (empty: room) until set again, counting how
// often it is asked. With `room_first`, the first time it is asked (before the
// first file) it finds room. Thread-safe: decryption asks it on its threads.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

namespace tlsring::testsvc {

class TestWaitReason {
 public:
  explicit TestWaitReason(std::string reason = {}, bool room_first = false)
      : reason_(std::move(reason)), room_first_(room_first) {}
  std::function<std::string()> function() {
    return [this] {
      if (asked_++ == 0 && room_first_) return std::string();
      std::lock_guard lock(mutex_);
      return reason_;
    };
  }
  void set(std::string reason) {
    std::lock_guard lock(mutex_);
    reason_ = std::move(reason);
  }
  void clear() { set({}); }
  int asked() const { return asked_.load(); }

 private:
  std::mutex mutex_;
  std::string reason_;
  const bool room_first_;
  std::atomic<int> asked_{0};
};

}  // namespace tlsring::testsvc
