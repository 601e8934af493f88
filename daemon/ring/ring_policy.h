// Which completed capture files to delete: a pure function of the files, the
// limits and the free space that the caller measured. The mechanism (the
// daemon) lists the ring, asks statvfs, calls plan_ring_cleanup() and deletes.
//
// Inputs: the completed files (sequence, size, whether the background
// decryption has finished with them), the size of the file being written (if
// any), the limits, the free bytes on the ring's filesystem, and keep_raw
// (whether capture files are kept once decrypted).
//
// Rules, applied in this order:
//  1. The file being written is never deleted; it is not in `completed`.
//  2. keep_raw == false: every decrypted file is deleted at once, oldest first
//     (reason decrypted_not_kept). Its transcripts are the product.
//  3. keep_files = N: the ring holds at most N files, counting the file being
//     written. The oldest *decrypted* files go (reason keep_files) until it
//     does. keep_files alone never deletes an undecrypted file: if too few are
//     decrypted, the ring holds more than N files until decryption catches up.
//  4. Disk limits: max_total_size (completed files left + the file being
//     written must not exceed it) and min_free_space (free bytes plus the bytes
//     of the files deleted must reach it). While one is violated the next file
//     goes: the oldest decrypted file first; only when no decrypted file is
//     left, the oldest undecrypted one, marked `forced` (its traffic will
//     never be decrypted: the daemon must say so loudly). The reason is
//     max_total_size while that limit is exceeded, else min_free_space.
//  5. When even deleting every completed file could not satisfy the disk
//     limits (the file being written alone exceeds max_total_size, or the
//     filesystem is filled by something else), no undecrypted file is deleted
//     (sacrificing it would not let capture go on), decrypted files are still
//     deleted per rule 4, and must_pause_capture is set: the daemon stops
//     writing until a later plan clears it. over_total_size and
//     free_space_missing say by how much the limits are still missed.
//  Deletions are listed in the order the rules chose them: rule 2's, then
//  rule 3's, then rule 4's, each oldest (lowest sequence) first. Sizes are
//  treated as the bytes a deletion frees.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tlsring::daemon {

struct RingFile {
  std::uint64_t sequence = 0;
  std::uint64_t size = 0;  // bytes
  bool decrypted = false;  // the decrypt workers are done with it
};

struct RingLimits {
  std::optional<std::uint64_t> keep_files;      // files in the ring, incl. the one being written
  std::optional<std::uint64_t> max_total_size;  // bytes of the ring, incl. the one being written
  std::uint64_t min_free_space = 0;             // bytes to leave free on the filesystem
};

struct RingInput {
  std::span<const RingFile> completed;              // any order
  std::optional<std::uint64_t> current_file_size;   // nullopt: no file is being written
  std::uint64_t free_bytes = 0;                     // free on the filesystem, now
  bool keep_raw = true;                             // keep capture files once decrypted
};

enum class DeleteReason { decrypted_not_kept, keep_files, max_total_size, min_free_space };

struct RingDeletion {
  std::uint64_t sequence = 0;
  std::uint64_t size = 0;
  DeleteReason reason = DeleteReason::keep_files;
  bool forced = false;  // not decrypted yet: a disk limit left no other choice
};

struct RingPlan {
  std::vector<RingDeletion> deletions;
  bool must_pause_capture = false;
  std::uint64_t over_total_size = 0;     // bytes above max_total_size after the plan
  std::uint64_t free_space_missing = 0;  // bytes below min_free_space after the plan
  std::uint64_t total_size_after = 0;    // completed files left + the file being written
  std::uint64_t free_bytes_after = 0;    // free bytes once the deletions are done
};

RingPlan plan_ring_cleanup(const RingLimits& limits, const RingInput& input);

// "decrypted_not_kept", "keep_files", "max_total_size", "min_free_space".
const char* delete_reason_name(DeleteReason reason);

// tlsring's decrypted results (output.directory/runs/): on the ring's disk,
// but never deleted by it. They grow for as long as the service runs, so a
// disk limit that bites after days is usually theirs. All zero when they are
// on another filesystem than the capture files.
struct ResultsOnDisk {
  std::uint64_t this_run = 0;      // written by this run so far
  std::uint64_t earlier_runs = 0;  // left by earlier runs, as last measured (every 10 minutes)
  std::uint64_t total() const { return this_run + earlier_runs; }
};

// Why capture must pause, for the log: which limit, by how much, what the
// results take of the disk, what to do. Empty when !plan.must_pause_capture.
std::string pause_explanation(const RingPlan& plan, const RingLimits& limits, const ResultsOnDisk& results = {});

// For the log and the summary, once a run, when min_free_space first deletes
// capture files: the ring then keeps fewer than keep_files / max_total_size
// would, and the reader of the summary wonders where they went. Empty when
// the plan deletes none for min_free_space.
std::string describe_free_space_deletions(const RingPlan& plan, const RingLimits& limits,
                                          const ResultsOnDisk& results);

// The disk the results are written to, as measured before a file is decrypted
// and every few MiB of results.
struct ResultsDisk {
  std::uint64_t free_bytes = 0;
  bool holds_ring = true;  // the capture files are on it too
  ResultsOnDisk results;   // what tlsring's results take of it
};

// Why decryption must wait (before its next capture file, or before it writes
// more results), for the log, the status and the summary: the results' disk
// has less than min_free_space free, and each result written would take it
// further down (tlsring fills no disk, with capture files or with results).
// Empty when it has that much free, or min_free_space is 0.
std::string decryption_wait_explanation(const ResultsDisk& disk, const RingLimits& limits);

}  // namespace tlsring::daemon
