// File operations that survive a crash, per OS: the mechanism under the ring
// (daemon/ring/durable_file.h), .part recovery and the status file. Errors
// name the file and carry the system's reason (strerror, FormatMessage).
//   Linux:   fsync(2), renameat2(RENAME_NOREPLACE), mmap(2), ftruncate(2).
//   Windows: FlushFileBuffers, MoveFileExW(MOVEFILE_WRITE_THROUGH) without
//            MOVEFILE_REPLACE_EXISTING, file mappings, SetEndOfFile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::platform {

// Makes renames and removals in `directory` durable.
//   Linux:   fsync(2) on the directory itself.
//   Windows: nothing to do (NTFS journals its directory changes, and
//            MoveFileExW writes through); always ok.
Status sync_directory(const std::filesystem::path& directory);

// Renames `from` to `to` atomically, failing (with a message naming both) when
// `to` exists rather than replacing it. Does not sync the directory.
Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes the file `path` (not a directory). Does not sync the directory.
Status remove_file(const std::filesystem::path& path);

// Replaces `path`'s contents with `text` in one step: writes `path`.tmp,
// flushes it to disk and renames it over `path`, so that a reader sees the old
// or the new text, never a part. `posix_mode` is the new file's mode on Linux
// (ignored on Windows, where the directory's ACL applies).
Status replace_file_contents(const std::filesystem::path& path, std::string_view text, unsigned posix_mode);

// A whole file mapped read-only; unmapped on destruction.
class FileView {
 public:
  virtual ~FileView() = default;
  virtual std::span<const std::uint8_t> bytes() const = 0;
};

// An existing file opened for reading and writing in place (recovery of a
// .part file: scan, cut the torn tail, flush). Closed on destruction. Errors
// carry the system's reason only: the caller says which file and what for.
class FileForRepair {
 public:
  static Result<std::unique_ptr<FileForRepair>> open(const std::filesystem::path& path);
  virtual ~FileForRepair() = default;

  struct Kind {
    bool regular = false;
    std::uint64_t size = 0;
  };
  virtual Result<Kind> kind() const = 0;
  // Maps the first `size` (> 0) bytes; the view must be gone before truncate().
  virtual Result<std::unique_ptr<FileView>> map(std::uint64_t size) const = 0;
  virtual Status truncate(std::uint64_t size) = 0;
  // fsync(2) / FlushFileBuffers.
  virtual Status sync() = 0;
};

}  // namespace tlsring::platform
