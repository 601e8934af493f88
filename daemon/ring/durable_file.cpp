#include "daemon/ring/durable_file.h"

#include "daemon/platform/durable_files.h"

namespace tlsring::daemon {
namespace {

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

Status fsync_directory(const std::filesystem::path& directory) { return platform::sync_directory(directory); }

Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to) {
  return platform::rename_no_replace(from, to);
}

Status remove_durably(const std::filesystem::path& path) {
  if (Status removed = platform::remove_file(path); !removed) return removed;
  return fsync_directory(parent_or_dot(path));
}

}  // namespace tlsring::daemon
