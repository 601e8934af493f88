// BackgroundDecryptor: decrypts the ring's completed capture files in the
// background, in capture order, with the SSL core of `tlsring decrypt`.
//
// One DecryptEngine lives for the whole run, so TCP streams and TLS sessions
// go on from one file to the next: a connection whose handshake was in hour 1
// is decrypted in hour 5, whether or not hour 1's raw file still exists. Files
// are queued on a Boost.Asio thread pool of one thread (order matters); the
// engine spreads each file's connections over its own decrypting workers.
// submit() never blocks, so capture never waits for decryption; backlog()
// says how many files wait.
//
// Results go under the run directory:
//   report.jsonl    one JSON object per connection of the run (verdict, reason, fix)
//   summary.txt     the run's human-readable summary, rewritten after every file
//   keys.log        every master secret recovered in the run (key-log format)
//   session-tickets.log  the session tickets servers gave, with their master
//                   secrets: the next start loads them, as it does keys.log
//   connections/    a transcript and the decrypted bytes of each connection,
//                   growing as the files that carry it are decrypted
//   files/NAME.txt  what each capture file held and what was decrypted from it
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/decrypt/decrypt_engine.h"
#include "core/decrypt/key_store.h"
#include "core/output/directory_output.h"
#include "core/result.h"
#include "daemon/cli/decrypt_summary.h"
#include "daemon/service/results_disk_wait.h"

namespace boost::asio {
class thread_pool;
}

namespace tlsring::daemon {

// In the run directory: session tickets and the master secrets they resume.
inline constexpr const char* kSessionTicketsFile = "session-tickets.log";

struct DecryptorOptions {
  std::filesystem::path run_directory;
  unsigned workers = 2;
  bool transcripts = true;
  bool payload_files = true;
  // Runs on the decrypting thread before each file (its sequence number),
  // while no decryption runs: the key logs' new lines go in then.
  std::function<void(decrypt::KeyStore&, std::uint64_t sequence)> before_each_file;
  // Lines for the run's summary ("keys: ..."), asked on the decrypting thread
  // each time the summary is written.
  std::function<std::vector<std::string>()> key_notes;
  // Why decryption must wait now (the results' disk is short of space), or
  // empty: asked before each file and every few MiB of results within one
  // (results_disk_wait.h). While it says why, decryption waits and it is
  // asked again every wait_recheck. A stop ends the wait: the files not
  // decrypted then are left for the next start.
  std::function<std::string()> wait_reason;
  std::chrono::milliseconds wait_recheck{2000};
};

// Whose capture file: this run's, or one an earlier run left undecrypted
// (queued at a stop, or recovered after a crash), whose drops this run did
// not see.
enum class FileOrigin { this_run, earlier_run };

// What became of one capture file.
struct DecryptedFile {
  std::filesystem::path capture;
  std::uint64_t sequence = 0;
  bool ok = false;
  std::string error;                 // when the file could not be read
  // Some of its results were left unwritten (the results' disk was still
  // short of space at the stop): not decrypted in full, so not marked so.
  bool results_cut = false;
  decrypt::FileSummary summary;
};

class BackgroundDecryptor {
 public:
  using DoneCallback = std::function<void(const DecryptedFile&)>;

  // `keys` is loaded already. `on_done` runs on the decrypting thread after
  // each file (keep it short; it must not call back into the decryptor).
  static Result<std::unique_ptr<BackgroundDecryptor>> create(DecryptorOptions options,
                                                             std::unique_ptr<decrypt::KeyStore> keys,
                                                             DoneCallback on_done);
  ~BackgroundDecryptor();
  BackgroundDecryptor(const BackgroundDecryptor&) = delete;
  BackgroundDecryptor& operator=(const BackgroundDecryptor&) = delete;

  // Queues a completed capture file. Thread-safe; returns at once.
  void submit(std::filesystem::path capture, std::uint64_t sequence, FileOrigin origin = FileOrigin::this_run);
  // Runs `change` on the decrypting thread between two files (e.g. a key reload).
  void between_files(std::function<void(decrypt::KeyStore&)> change);

  // Files queued from now on are left undecrypted (a quick stop: they are
  // decrypted after the next start); the file being decrypted completes, one
  // waiting for disk space is left too.
  void skip_queued();

  // A line for the run's summary ("capture: ..."), before the verdicts.
  // Thread-safe; in the summary from the next file on.
  void add_run_note(std::string note);
  // A time the capture lost packets in: gaps then are explained by it.
  // Thread-safe; for the files decrypted from the next on.
  void add_known_loss(decrypt::KnownCaptureLoss loss);

  // Why decryption waits now (see DecryptorOptions::wait_reason), or empty. Any thread.
  std::string waiting_for() const;
  // Something freed disk space (the ring deleted a file): a wait asks its
  // reason again now rather than at its next recheck. Any thread.
  void look_at_disk_again();
  // Files queued and not yet decrypted (the one being decrypted included).
  std::uint64_t backlog() const { return backlog_.load(); }
  std::uint64_t files_decrypted() const { return files_decrypted_.load(); }
  // Bytes of results (report, key log, transcripts, decrypted bytes) written so far. Any thread.
  std::uint64_t results_bytes() const { return output_->bytes_written(); }
  // Connections ended so far, by verdict name.
  std::map<std::string, std::uint64_t> verdict_counts() const;

  // Decrypts what is queued, closes every connection, writes the run's
  // summary; the first output error, if any. Idempotent.
  Status finish();

 private:
  BackgroundDecryptor(DecryptorOptions options, std::unique_ptr<decrypt::KeyStore> keys,
                      std::unique_ptr<ResultsDiskWait> disk_wait, std::unique_ptr<output::DirectoryOutput> output,
                      DoneCallback on_done);
  void decrypt_one(const std::filesystem::path& capture, std::uint64_t sequence, FileOrigin origin);
  void note_output_error(const Status& status);
  void write_run_summary();

  DecryptorOptions options_;
  std::unique_ptr<decrypt::KeyStore> keys_;
  std::unique_ptr<ResultsDiskWait> disk_wait_;        // the output's gate: made before it, gone after it
  std::unique_ptr<output::DirectoryOutput> output_;
  std::unique_ptr<decrypt::DecryptEngine> engine_;
  DoneCallback on_done_;
  std::unique_ptr<boost::asio::thread_pool> thread_;
  std::atomic<bool> skip_queued_{false};
  std::uint64_t files_skipped_ = 0;  // queued, left by skip_queued(); decrypting thread only
  std::atomic<std::uint64_t> backlog_{0};
  std::atomic<std::uint64_t> files_decrypted_{0};
  // The run's files for summary.txt, with at most kWarningsListed warnings
  // listed; decrypting thread only.
  static constexpr std::size_t kWarningsListed = 100;
  cli::FilesRead files_read_{kWarningsListed};
  std::vector<std::string> run_notes_;           // decrypting thread only
  decrypt::CaptureLosses known_losses_;          // decrypting thread only (the engine reads it there)
  std::string output_error_;                     // the first result not written; decrypting thread only
  std::mutex finish_mutex_;
  bool finished_ = false;
  Status finish_status_;
};

}  // namespace tlsring::daemon
