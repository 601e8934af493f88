// `tlsring decrypt CAPTURE...` reads its files as one capture, in the order
// given: TCP streams and TLS sessions go on from one file to the next. Two
// mistakes of that list break the streams without any error of their own, so
// they are caught here: the same file given twice (its packets would be read
// again, as retransmissions and new connections), and files out of capture
// order (a shell glob of another naming, hour 2 before hour 1). Pure, but for
// the lookup of canonical paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/decrypt/decrypt_engine.h"
#include "core/result.h"

namespace tlsring::cli {

// An error naming a file given twice (as the same path, or through another
// path to the same file: `identities` are canonical paths, one per capture,
// empty where it could not be resolved).
Status check_each_capture_once(const std::vector<std::filesystem::path>& captures,
                               const std::vector<std::filesystem::path>& identities);
// The same, with each capture's canonical path looked up (a symbolic link, "..").
Status check_each_capture_once(const std::vector<std::filesystem::path>& captures);

// Files of one capture may overlap by a little (packets of several interfaces
// or CPUs are not written in strict time order); a file that starts earlier
// than this before the end of the one read before it is out of order.
inline constexpr std::int64_t kCaptureOrderToleranceNs = 1'000'000'000;

// A warning when `next` starts more than the tolerance before `previous` ends
// (both with packets), else nothing.
std::optional<std::string> capture_order_warning(const decrypt::FileSummary& previous,
                                                 const decrypt::FileSummary& next);
// The same against the last file with packets of those read before `next`.
std::optional<std::string> capture_order_warning(const std::vector<decrypt::FileSummary>& read_before,
                                                 const decrypt::FileSummary& next);

}  // namespace tlsring::cli
