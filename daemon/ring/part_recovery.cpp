#include "daemon/ring/part_recovery.h"

#include "daemon/platform/durable_files.h"
#include "daemon/ring/capture_file_name.h"
#include "daemon/ring/capture_scan.h"
#include "daemon/ring/durable_file.h"
#include "daemon/ring/ring_directory.h"

namespace tlsring::daemon {
namespace {

Error file_error(const std::filesystem::path& path, const char* what, const Error& reason) {
  return make_error(path.string() + ": " + what + ": " + reason.message);
}

// Scans the file (size > 0) and unmaps it before returning, so that the
// truncation that follows does not cut a live mapping.
Result<CaptureScan> scan_file(const platform::FileForRepair& file, std::uint64_t size,
                              const std::filesystem::path& path) {
  auto mapped = file.map(size);
  if (!mapped) return file_error(path, "cannot map the file to scan it", mapped.error());
  return scan_whole_records((*mapped)->bytes());
}

}  // namespace

Result<RecoveredFile> recover_part_file(const std::filesystem::path& part_path) {
  const std::string name = part_path.filename().string();
  if (name.size() <= kPartSuffix.size() || !name.ends_with(kPartSuffix)) {
    return make_error(part_path.string() + ": not a .part file, nothing to recover");
  }
  RecoveredFile out;
  out.part_path = part_path;

  auto opened = platform::FileForRepair::open(part_path);
  if (!opened) return file_error(part_path, "cannot open to recover it", opened.error());
  std::unique_ptr<platform::FileForRepair> file = std::move(*opened);
  auto kind = file->kind();
  if (!kind) return file_error(part_path, "cannot stat", kind.error());
  if (!kind->regular) return make_error(part_path.string() + ": not a regular file");
  const std::uint64_t size = kind->size;

  CaptureScan scan;
  if (size > 0) {
    auto scanned = scan_file(*file, size, part_path);
    if (!scanned) return scanned.error();
    scan = std::move(*scanned);
  } else {
    scan.stop_reason = "empty file";
  }

  if (!scan.has_header) {
    file.reset();
    if (auto removed = remove_durably(part_path); !removed) return removed.error();
    out.deleted = true;
    out.bytes_cut = size;
    out.cut_reason = scan.stop_reason;
    return out;
  }

  if (scan.whole_end < size) {
    if (Status cut = file->truncate(scan.whole_end); !cut) {
      return file_error(part_path, "cannot truncate to the last whole record", cut.error());
    }
    out.cut_reason = scan.stop_reason;
  }
  if (Status synced = file->sync(); !synced) return file_error(part_path, "fsync failed", synced.error());
  file.reset();

  std::filesystem::path final_path = part_path;
  final_path.replace_filename(name.substr(0, name.size() - kPartSuffix.size()));
  if (auto renamed = rename_no_replace(part_path, final_path); !renamed) return renamed.error();
  const auto directory = part_path.parent_path().empty() ? std::filesystem::path(".")
                                                         : part_path.parent_path();
  if (auto synced = fsync_directory(directory); !synced) return synced.error();

  out.final_path = std::move(final_path);
  out.packets_kept = scan.packets;
  out.bytes_kept = scan.whole_end;
  out.captured_bytes_kept = scan.captured_bytes;
  out.bytes_cut = size - scan.whole_end;
  return out;
}

Result<RingRecovery> recover_ring_directory(const std::filesystem::path& directory,
                                            std::string_view prefix) {
  auto entries = list_ring_directory(directory, prefix);
  if (!entries) return entries.error();
  RingRecovery recovery;
  for (const RingFileEntry& entry : *entries) {
    if (!entry.name.part) continue;
    auto recovered = recover_part_file(entry.path);
    if (recovered) {
      recovery.files.push_back(std::move(*recovered));
    } else {
      recovery.failures.push_back(recovered.error());
    }
  }
  return recovery;
}

}  // namespace tlsring::daemon
