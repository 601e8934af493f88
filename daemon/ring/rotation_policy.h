// When to start a new capture file and when to stop capturing: pure functions
// of the time (int64 nanoseconds since the Unix epoch, UTC) and sizes that the
// caller passes in. Nothing here reads a clock.
//
// Rules:
//  - Interval rotation is aligned to the clock, like dumpcap's `-b interval`:
//    boundaries are the multiples of `every_ns` since the epoch (UTC), so an
//    hourly ring rotates at hh:00:00 and a 5 s ring at :00, :05, :10, ...
//    next_rotation_boundary(now, every) is the first boundary strictly after
//    `now`: a file opened exactly on a boundary runs a whole interval, and a
//    file opened between two boundaries ends at the next one (its first
//    interval is short). every_ns <= 0 turns interval rotation off
//    (kNoBoundary). Times before 1970 round toward minus infinity as well.
//  - rotation_due() is `interval` once now_ns >= boundary_ns. Otherwise it is
//    `size` when max_file_size is set, a record of `incoming_record_size` bytes
//    (> 0) is about to be written, the file already holds a packet, and
//    size + incoming_record_size would exceed max_file_size: the file rotates
//    *before* the packet, so no file outgrows the limit, except a file whose
//    first packet alone is larger (a packet always lands somewhere).
//    incoming_record_size = 0 asks about time only (a timer tick). `size` is
//    what the file would weigh if closed now (RingWriter::current_size()), and
//    the record size is its size on disk (RingWriter::record_size()).
//  - stop_deadline(start, stop_after) is start + stop_after (saturating at
//    the int64 maximum; a negative stop_after counts as 0), or no deadline when
//    stop_after is not set. The service counts it on a monotonic clock, not
//    the system clock: setting the clock neither shortens nor stretches the
//    capture window.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace tlsring::daemon {

inline constexpr std::int64_t kNoBoundary = std::numeric_limits<std::int64_t>::max();

struct RotationPolicy {
  std::int64_t every_ns = 3600LL * 1'000'000'000;  // <= 0: no interval rotation
  std::optional<std::uint64_t> max_file_size;       // bytes; nullopt: no size rotation
};

// The file being written, as the rotation policy sees it.
struct FileState {
  std::int64_t start_ns = 0;     // when the file was opened
  std::int64_t boundary_ns = kNoBoundary;  // next_rotation_boundary(start_ns, every_ns)
  std::uint64_t size = 0;        // bytes, as if closed now
  std::uint64_t packets = 0;     // packets already in the file
};

enum class RotateReason { none, interval, size };

std::int64_t next_rotation_boundary(std::int64_t now_ns, std::int64_t every_ns);

// The state of a file just opened at `start_ns`: empty, boundary computed.
FileState new_file_state(const RotationPolicy& policy, std::int64_t start_ns);

RotateReason rotation_due(const RotationPolicy& policy, const FileState& file, std::int64_t now_ns,
                          std::uint64_t incoming_record_size);

// Whether a step of the system clock by `step_ns` (< 0: set back) ends the
// file being written at once. Set back, the clock is that much further from
// the file's boundary, and the file would run that much longer than its
// interval (an hourly file, two hours after a step back of one). A step back
// of at least a tenth of the interval, and at least 1 s, ends it; a smaller
// one only lengthens it a little; a step forward ends it at the boundary,
// soon, by itself. Never without interval rotation.
bool clock_step_ends_file(std::int64_t step_ns, std::int64_t every_ns);

std::optional<std::int64_t> stop_deadline(std::int64_t start_ns,
                                          std::optional<std::int64_t> stop_after_ns);

const char* rotate_reason_name(RotateReason reason);  // "none", "interval", "size"

}  // namespace tlsring::daemon
