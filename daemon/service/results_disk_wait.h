// ResultsDiskWait: decryption's wait for room on the disk of its results, so
// that tlsring fills no disk with results either. Asked before each capture
// file (BackgroundDecryptor) and, as the results' WriteGate, every few MiB of
// results written within a file: one hour's file can decrypt to more than
// min_free_space holds. While the reason (DecryptorOptions::wait_reason) says
// why, the wait holds its thread and asks again every `recheck` or when told
// to look again (the ring deleted a file). A stop ends the waits: a file not
// begun stays undecrypted for the next start; results of a file under way are
// left unwritten (the gate refuses them, and every block after them), which
// its DecryptedFile and the summary say.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "core/output/write_gate.h"

namespace tlsring::daemon {

// How long decryption waited in a run, for the summary.
struct DecryptionWaits {
  std::uint64_t count = 0;       // times it began to wait
  std::int64_t waited_ns = 0;    // in all
  std::uint64_t files_left = 0;  // left undecrypted at the stop, still waiting
  std::uint64_t refused_bytes = 0;  // results left unwritten at the stop (the gate refused them)
  std::uint64_t files_cut = 0;      // files whose results were cut so, left undecrypted
  std::string first_reason;
};
// The summary's line ("decryption: ..."); empty when it never waited.
std::string describe_decryption_waits(const DecryptionWaits& waits);

class ResultsDiskWait final : public output::WriteGate {
 public:
  // Results are looked at once this many bytes were written since the last look.
  static constexpr std::uint64_t kLookEvery = std::uint64_t{1} << 20;

  // `reason`: why decryption must wait now, or empty (null: it never waits).
  ResultsDiskWait(std::function<std::string()> reason, std::chrono::milliseconds recheck);

  // Before a capture file, on the decrypting thread: true to decrypt it,
  // false when a stop came first (the file stays undecrypted); counted.
  bool wait_before_file();
  void count_file_left() { ++waits_.files_left; }
  // A file whose results the gate refused some of: it stays undecrypted.
  void count_file_cut() { ++waits_.files_cut; }
  // The gate, on the output's writing thread while a file is decrypted.
  bool before_write(std::uint64_t bytes) override;

  // A stop: every wait ends, now and from now on. Any thread.
  void end_waits();
  // Something freed disk space: a wait asks its reason again now. Any thread.
  void look_again();
  // Why decryption waits now, or empty. Any thread.
  std::string waiting_for() const;
  // Results refused so far (the gate's refusals). Any thread.
  std::uint64_t refused_bytes() const { return refused_bytes_.load(); }
  // For the summary: on the decrypting thread, between files (the writing
  // thread is idle then).
  DecryptionWaits waits() const;

 private:
  // Waits while the reason says why; true once it says none.
  bool wait_while_short();

  const std::function<std::string()> reason_;
  const std::chrono::milliseconds recheck_;
  std::atomic<bool> stopping_{false};  // set under mutex_
  bool look_again_ = false;            // under mutex_
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::string waiting_for_;            // under mutex_
  // The thread that decrypts and the writing thread take turns (the writing
  // one only while a file is decrypted, the other between files).
  DecryptionWaits waits_;
  std::uint64_t unlooked_bytes_ = 0;   // writing thread
  std::atomic<std::uint64_t> refused_bytes_{0};
};

}  // namespace tlsring::daemon
