// DecryptedLedger: which capture files of the ring have been decrypted. Kept
// as a file beside the captures (one name per line, appended and fsync'd), so
// that after a restart the ring knows which completed files still wait for
// decryption and which may go when a limit is reached.
// Thread-safe: the decrypting thread marks, the writer thread asks.
#pragma once

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

 private:
  explicit DecryptedLedger(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::set<std::string> names_;
};

}  // namespace tlsring::daemon
