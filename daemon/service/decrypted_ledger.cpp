#include "daemon/service/decrypted_ledger.h"

#include <fstream>
#include <iterator>
#include <memory>

#include "core/output/private_file.h"
#include "daemon/platform/durable_files.h"

namespace tlsring::daemon {

Result<std::unique_ptr<DecryptedLedger>> DecryptedLedger::open(const std::filesystem::path& path) {
  std::unique_ptr<DecryptedLedger> ledger(new DecryptedLedger(path));
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return ledger;
  std::ifstream in(path);
  if (!in) return make_error("cannot read " + path.string());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && ledger->names_.insert(line).second) ++ledger->lines_on_disk_;
  }
  return ledger;
}

std::size_t DecryptedLedger::size() const {
  std::lock_guard lock(mutex_);
  return names_.size();
}

bool DecryptedLedger::contains(const std::string& file_name) const {
  std::lock_guard lock(mutex_);
  return names_.count(file_name) != 0;
}

Status DecryptedLedger::mark(const std::string& file_name) {
  std::lock_guard lock(mutex_);
  if (!names_.insert(file_name).second) return {};
  auto file = output::PrivateFile::open(path_, false);
  if (!file.ok()) return file.error();
  if (auto written = file->write(file_name + "\n"); !written.ok()) return written;
  ++lines_on_disk_;
  return file->sync();
}

Status DecryptedLedger::forget(const std::string& file_name) {
  std::lock_guard lock(mutex_);
  if (names_.erase(file_name) == 0) return {};
  // A name whose line could not be written is kept, not on disk: none forgotten then.
  const std::size_t forgotten = lines_on_disk_ > names_.size() ? lines_on_disk_ - names_.size() : 0;
  if (forgotten <= kForgottenKeptOnDisk || forgotten <= names_.size()) return {};
  return rewrite();
}

Status DecryptedLedger::rewrite() {
  std::string text;
  for (const std::string& name : names_) text += name + "\n";
  if (Status replaced = platform::replace_file_contents(path_, text, 0600); !replaced.ok()) return replaced;
  lines_on_disk_ = names_.size();
  return {};
}

Status DecryptedLedger::forget_missing(const std::filesystem::path& capture_directory) {
  std::lock_guard lock(mutex_);
  for (auto it = names_.begin(); it != names_.end();) {
    std::error_code error;
    it = std::filesystem::exists(capture_directory / *it, error) ? std::next(it) : names_.erase(it);
  }
  return rewrite();
}

}  // namespace tlsring::daemon
