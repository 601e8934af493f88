#include "daemon/ring/rotation_policy.h"

#include <algorithm>

namespace tlsring::daemon {

std::int64_t next_rotation_boundary(std::int64_t now_ns, std::int64_t every_ns) {
  if (every_ns <= 0) return kNoBoundary;
  // Floor division: `intervals` whole intervals lie at or before `now`, also
  // for times before 1970; the boundary after them is the next one.
  std::int64_t intervals = now_ns / every_ns;
  if (now_ns % every_ns < 0) --intervals;
  if (intervals >= kNoBoundary / every_ns) return kNoBoundary;
  return (intervals + 1) * every_ns;
}

FileState new_file_state(const RotationPolicy& policy, std::int64_t start_ns) {
  return FileState{start_ns, next_rotation_boundary(start_ns, policy.every_ns), 0, 0};
}

RotateReason rotation_due(const RotationPolicy& policy, const FileState& file, std::int64_t now_ns,
                          std::uint64_t incoming_record_size) {
  if (file.boundary_ns != kNoBoundary && now_ns >= file.boundary_ns) return RotateReason::interval;
  if (policy.max_file_size && incoming_record_size > 0 && file.packets > 0) {
    const std::uint64_t limit = *policy.max_file_size;
    // size + incoming > limit, written so that it cannot overflow.
    if (file.size > limit || incoming_record_size > limit - file.size) return RotateReason::size;
  }
  return RotateReason::none;
}

std::optional<std::int64_t> stop_deadline(std::int64_t start_ns,
                                          std::optional<std::int64_t> stop_after_ns) {
  if (!stop_after_ns) return std::nullopt;
  const std::int64_t after = *stop_after_ns < 0 ? 0 : *stop_after_ns;
  if (start_ns > 0 && after > kNoBoundary - start_ns) return kNoBoundary;
  return start_ns + after;
}

const char* rotate_reason_name(RotateReason reason) {
  switch (reason) {
    case RotateReason::none: return "none";
    case RotateReason::interval: return "interval";
    case RotateReason::size: return "size";
  }
  return "none";
}

bool clock_step_ends_file(std::int64_t step_ns, std::int64_t every_ns) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  if (every_ns <= 0 || step_ns >= 0) return false;
  const std::int64_t back = step_ns == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max()
                                                                                : -step_ns;
  return back >= std::max(kSecond, every_ns / 10);
}

}  // namespace tlsring::daemon
