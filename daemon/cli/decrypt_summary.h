// The one-screen summary of a decryption: connections, decrypted, not
// decrypted by verdict with an example reason and what to do, which keys
// decrypted how many, warnings.
// `tlsring decrypt` prints it; the service writes it for every capture file
// and for the run.
#pragma once

#include <cstdint>
#include <map>
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

// "RSA key keys/server.pem 1200, session cache (session ID) 400, key log 30":
// the decrypted connections by where their keys came from, most used first
// ("" when none).
std::string format_keys_used(const std::map<std::string, std::uint64_t>& keys_used);

}  // namespace tlsring::cli
