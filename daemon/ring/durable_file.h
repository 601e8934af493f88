// File operations that survive a crash, for the ring's mechanism: sync of a
// directory (so that a rename or an unlink in it is on disk), and a rename
// that never replaces an existing file. The OS calls are in
// daemon/platform/durable_files.h.
#pragma once

#include <filesystem>

#include "core/result.h"

namespace tlsring::daemon {

// fsync(2) on the directory itself (Windows: nothing to do). Errors name the
// directory.
Status fsync_directory(const std::filesystem::path& directory);

// Renames `from` to `to` atomically, failing (with a message naming both) when
// `to` exists rather than replacing it. Does not fsync the directory.
Status rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes `path` and fsyncs its directory.
Status remove_durably(const std::filesystem::path& path);

}  // namespace tlsring::daemon
