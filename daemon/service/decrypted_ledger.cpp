#include "daemon/service/decrypted_ledger.h"

#include <fstream>
#include <memory>

#include "core/output/private_file.h"

namespace tlsring::daemon {

Result<std::unique_ptr<DecryptedLedger>> DecryptedLedger::open(const std::filesystem::path& path) {
  std::unique_ptr<DecryptedLedger> ledger(new DecryptedLedger(path));
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return ledger;
  std::ifstream in(path);
  if (!in) return make_error("cannot read " + path.string());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) ledger->names_.insert(line);
  }
  return ledger;
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
  return file->sync();
}

Status DecryptedLedger::forget_missing(const std::filesystem::path& capture_directory) {
  std::lock_guard lock(mutex_);
  std::string text;
  for (auto it = names_.begin(); it != names_.end();) {
    std::error_code error;
    if (std::filesystem::exists(capture_directory / *it, error)) {
      text += *it + "\n";
      ++it;
    } else {
      it = names_.erase(it);
    }
  }
  auto file = output::PrivateFile::open(path_, true);
  if (!file.ok()) return file.error();
  if (auto written = file->write(text); !written.ok()) return written;
  return file->sync();
}

}  // namespace tlsring::daemon
