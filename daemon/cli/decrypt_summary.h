// The one-screen summary of a decryption: connections, decrypted, not
// decrypted by verdict with an example reason and what to do, warnings.
// `tlsring decrypt` prints it; the service writes it for every capture file
// and for the run.
#pragma once

#include <string>
#include <vector>

#include "core/decrypt/decrypt_engine.h"
#include "core/output/directory_output.h"

namespace tlsring::cli {

// `title` opens the first line ("tlsring decrypt"). `run_notes` (the
// service's: what the capture or the results lost) come before the verdicts
// they explain, a line each.
std::string format_summary(const std::string& title, const std::vector<decrypt::FileSummary>& files,
                           const output::DirectoryOutput& output, const std::vector<std::string>& run_notes = {});

}  // namespace tlsring::cli
