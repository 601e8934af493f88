#include "daemon/ring/ring_directory.h"

#include <algorithm>
#include <system_error>

namespace tlsring::daemon {

Result<std::vector<RingFileEntry>> list_ring_directory(const std::filesystem::path& directory,
                                                       std::string_view prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(directory, ec);
  if (ec) {
    return make_error("cannot list capture directory " + directory.string() + ": " + ec.message());
  }
  std::vector<RingFileEntry> entries;
  for (const fs::directory_iterator end; it != end; it.increment(ec)) {
    if (ec) break;
    const auto name = parse_capture_file_name(it->path().filename().string(), prefix);
    if (!name) continue;
    // A file removed between the listing and the stat (the ring cleaner, an
    // administrator) is simply not part of the ring any more.
    std::error_code stat_ec;
    if (!it->is_regular_file(stat_ec) || stat_ec) continue;
    const auto size = it->file_size(stat_ec);
    if (stat_ec) continue;
    entries.push_back(RingFileEntry{it->path(), *name, size});
  }
  if (ec) {
    return make_error("cannot list capture directory " + directory.string() + ": " + ec.message());
  }
  std::sort(entries.begin(), entries.end(), [](const RingFileEntry& a, const RingFileEntry& b) {
    if (a.name.sequence != b.name.sequence) return a.name.sequence < b.name.sequence;
    return a.path.filename() < b.path.filename();
  });
  return entries;
}

std::uint64_t next_free_sequence(std::span<const RingFileEntry> entries) {
  std::uint64_t highest = 0;
  for (const RingFileEntry& entry : entries) highest = std::max(highest, entry.name.sequence);
  return highest + 1;
}

Result<std::uint64_t> free_space(const std::filesystem::path& directory) {
  std::error_code error;
  const std::filesystem::space_info space = std::filesystem::space(directory, error);
  if (error) return make_error("cannot ask the free space of " + directory.string() + ": " + error.message());
  return static_cast<std::uint64_t>(space.available);
}

}  // namespace tlsring::daemon
