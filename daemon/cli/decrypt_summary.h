// The one-screen summary of a decryption: connections, decrypted, not
// decrypted by verdict with an example reason and what to do, which keys
// decrypted how many, warnings.
// `tlsring decrypt` prints it; the service writes it for every capture file
// and for the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/decrypt/decrypt_engine.h"
#include "core/output/directory_output.h"

namespace tlsring::cli {

// What the summary says of the capture files read: how many, their packets,
// their warnings. The service keeps this for a run of days rather than every
// file's FileSummary, and lists only the first `warnings_listed` warnings
// (each file's report, files/NAME.txt, has its own); the rest are counted.
struct FilesRead {
  explicit FilesRead(std::size_t warnings_listed = SIZE_MAX) : warnings_listed(warnings_listed) {}
  void add(const decrypt::FileSummary& file);

  std::size_t warnings_listed;
  std::uint64_t files = 0;
  std::uint64_t packets = 0;
  std::vector<std::string> warnings;
  std::uint64_t warnings_not_listed = 0;
};

// `title` opens the first line ("tlsring decrypt"). `run_notes` (the
// service's: what the capture or the results lost) come before the verdicts
// they explain, a line each.
std::string format_summary(const std::string& title, const FilesRead& files, const output::DirectoryOutput& output,
                           const std::vector<std::string>& run_notes = {});

// "RSA key keys/server.pem 1200, session cache (session ID) 400, key log 30":
// the decrypted connections by where their keys came from, most used first
// ("" when none).
std::string format_keys_used(const std::map<std::string, std::uint64_t>& keys_used);

}  // namespace tlsring::cli
