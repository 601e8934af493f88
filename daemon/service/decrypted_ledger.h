// DecryptedLedger: which capture files of the ring have been decrypted. Kept
// as a file beside the captures (one name per line, appended and fsync'd), so
// that after a restart the ring knows which completed files still wait for
// decryption and which may go when a limit is reached.
// Thread-safe: the decrypting thread marks; the capture writer thread asks,
// and forgets the files its ring deletes (a rewrite of the ledger's file,
// once per 1,000 and more deletions, is done there too).
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>

#include "core/result.h"

namespace tlsring::daemon {

class DecryptedLedger {
 public:
  // Reads `path` when it exists (a missing file is an empty ledger).
  static Result<std::unique_ptr<DecryptedLedger>> open(const std::filesystem::path& path);

  bool contains(const std::string& file_name) const;
  // Records `file_name` (a capture file's name, no directory).
  Status mark(const std::string& file_name);
  // Forgets names whose files are gone, rewriting the ledger (at start).
  Status forget_missing(const std::filesystem::path& capture_directory);
  // Forgets `file_name`, whose file the ring deleted, so that the ledger
  // follows the ring rather than every file of a run of days. Its file is
  // rewritten without the names forgotten once they are more than
  // kForgottenKeptOnDisk and than the names kept.
  Status forget(const std::string& file_name);
  static constexpr std::size_t kForgottenKeptOnDisk = 1000;

  std::size_t size() const;

 private:
  explicit DecryptedLedger(std::filesystem::path path) : path_(std::move(path)) {}
  // The ledger's file replaced by the names kept; under mutex_.
  Status rewrite();

  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::set<std::string> names_;
  std::size_t lines_on_disk_ = 0;  // names in the file, forgotten ones included
};

}  // namespace tlsring::daemon
