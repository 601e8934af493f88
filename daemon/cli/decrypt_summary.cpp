#include "daemon/cli/decrypt_summary.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace tlsring::cli {

std::string format_keys_used(const std::map<std::string, std::uint64_t>& keys_used) {
  std::vector<std::pair<std::string, std::uint64_t>> by_use(keys_used.begin(), keys_used.end());
  std::stable_sort(by_use.begin(), by_use.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (const auto& [source, connections] : by_use) {
    text += (text.empty() ? "" : ", ") + source + " " + std::to_string(connections);
  }
  return text;
}

void FilesRead::add(const decrypt::FileSummary& file) {
  ++files;
  packets += file.packets;
  for (const std::string& warning : file.warnings) {
    if (warnings.size() < warnings_listed) {
      warnings.push_back(warning);
    } else {
      ++warnings_not_listed;
    }
  }
}

std::string format_summary(const std::string& title, const FilesRead& files, const output::DirectoryOutput& output,
                           const std::vector<std::string>& run_notes) {
  std::ostringstream s;
  const output::RunTotals totals = output.totals();
  const auto verdicts = output.verdicts();
  s << title << ": " << files.files << " capture file(s), " << files.packets << " packets, " << totals.sessions
    << " connection(s)\n";
  std::uint64_t decrypted = 0;
  for (int v = 0; v < decrypt::kVerdictCount; ++v) {
    const auto verdict = static_cast<decrypt::Verdict>(v);
    if (verdict == decrypt::Verdict::decrypted || verdict == decrypt::Verdict::partially_decrypted) {
      decrypted += verdicts[v].count;
    }
  }
  s << "  decrypted: " << decrypted << "    not decrypted: " << (totals.sessions - decrypted) << "\n\n";
  for (const auto& note : run_notes) s << "  " << note << "\n";
  if (!run_notes.empty()) s << "\n";
  for (int v = 0; v < decrypt::kVerdictCount; ++v) {
    const auto& count = verdicts[v];
    if (count.count == 0) continue;
    char line[64];
    std::snprintf(line, sizeof line, "  %-24s %8llu", std::string(decrypt::to_string(static_cast<decrypt::Verdict>(v))).c_str(),
                  static_cast<unsigned long long>(count.count));
    s << line << "\n";
    if (!count.example_reason.empty()) {
      s << "      e.g. " << count.example_connection << ": " << count.example_reason << "\n";
    }
    if (!count.example_fix.empty()) s << "      what to do: " << count.example_fix << "\n";
  }
  s << "\n  application data: " << totals.c2s_bytes << " bytes client->server, " << totals.s2c_bytes
    << " bytes server->client, " << totals.records << " records\n";
  s << "  master secrets recovered: " << totals.master_secrets << " (keys.log)\n";
  if (const std::string used = format_keys_used(output.keys_used()); !used.empty()) s << "  keys used: " << used << "\n";
  for (const std::string& warning : files.warnings) s << "  warning: " << warning << "\n";
  if (files.warnings_not_listed > 0) {
    s << "  " << files.warnings_not_listed << " more warning(s), not listed here: each capture file's report "
      << "(files/NAME.txt) has its own\n";
  }
  s << "  output: " << output.directory().string() << "/\n";
  return s.str();
}

}  // namespace tlsring::cli
