// Salvaging the `.part` files a crash left in a capture ring. Mechanism.
//
// Contract:
//  - recover_part_file(path): `path` must end in ".part". The file is scanned
//    (capture_scan.h) for the end of its last whole record, truncated there
//    (ftruncate), fsynced, renamed to its name without ".part" (never over an
//    existing file) and its directory fsynced. The result reports the packets
//    kept and the bytes cut off. A file that holds no whole header (pcap file
//    header / pcapng Section Header Block), including an empty one, holds
//    nothing to salvage: it is deleted (`deleted` set, final_path empty).
//  - Errors (cannot open, map, truncate, rename: the final name exists) name
//    the file; the file is then left as it was, still ending in ".part", or
//    truncated but not renamed.
//  - recover_ring_directory(dir, prefix) recovers every `.part` of that prefix
//    that list_ring_directory() finds, oldest first. A file that cannot be
//    recovered goes into `failures` and the others are still tried; the call
//    itself fails only when the directory cannot be listed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tlsring::daemon {

struct RecoveredFile {
  std::filesystem::path part_path;
  std::filesystem::path final_path;  // empty when deleted
  bool deleted = false;              // held no whole header, removed
  std::uint64_t packets_kept = 0;
  std::uint64_t bytes_kept = 0;      // the file's size now
  std::uint64_t captured_bytes_kept = 0;  // the packet bytes in the packets kept
  std::uint64_t bytes_cut = 0;       // cut off the end (or the whole file, when deleted)
  std::string cut_reason;            // where and why the scan stopped; empty: nothing was cut
};

Result<RecoveredFile> recover_part_file(const std::filesystem::path& part_path);

struct RingRecovery {
  std::vector<RecoveredFile> files;
  std::vector<Error> failures;
};

Result<RingRecovery> recover_ring_directory(const std::filesystem::path& directory,
                                            std::string_view prefix);

}  // namespace tlsring::daemon
