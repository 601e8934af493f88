// Times in which the capture itself is known to have lost packets, and why:
// the service could not write its capture files (a full disk), an interface
// was gone, or a capture file records a drop count. A gap in a connection's
// bytes that falls in one of them is explained by it, so that the verdict
// names that cause and its fix instead of packet loss on the way to the
// capture point.
//
// Thread-safe: the engine's reading thread adds what a file records while its
// workers look losses up. An entry never changes or moves once added.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace tlsring::decrypt {

struct KnownCaptureLoss {
  std::int64_t from_ns = 0;  // packets captured from this time on may be missing
  std::int64_t to_ns = 0;    // up to this time
  std::string what;          // "no capture file could be written from ... to ... (why)"
  std::string fix;           // what to do, as a verdict's fix
};

class CaptureLosses {
 public:
  void add(KnownCaptureLoss loss) {
    std::lock_guard lock(mutex_);
    losses_.push_back(std::move(loss));
  }
  // The first loss whose time meets the stretch between two packets of a
  // connection [after_ns, before_ns], or null. It stays valid as more are added.
  const KnownCaptureLoss* overlapping(std::int64_t after_ns, std::int64_t before_ns) const {
    std::lock_guard lock(mutex_);
    for (const KnownCaptureLoss& loss : losses_) {
      if (loss.from_ns <= before_ns && after_ns <= loss.to_ns) return &loss;
    }
    return nullptr;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return losses_.size();
  }
  // A copy of the loss at `index` (< size()).
  KnownCaptureLoss at(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return losses_[index];
  }

 private:
  mutable std::mutex mutex_;
  std::deque<KnownCaptureLoss> losses_;  // never moved: connections keep pointers
};

}  // namespace tlsring::decrypt
