// What every CLI test needs: the binaries under test, the reference
// fixtures, a private temporary directory, small file helpers, and the
// traffic generator's captures. Tests only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/cli/child_process.h"
#include "tests/cli/flat_json.h"

namespace tlsring::clitest {

namespace fs = std::filesystem;

// A fresh directory (mode 0700) under the system temp dir, unique to the
// test, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// /work/shared/fixtures/wireshark (TLSRING_FIXTURES_DIR/wireshark); skips
// the test loudly (exit 4, "SKIPPED") when it is not there.
fs::path require_wireshark_fixtures(const std::string& test_name);

// Runs `tlsring ARGS...` (the real binary).
ChildResult run_tlsring(const std::vector<std::string>& args, const ChildOptions& options = {});

std::string read_file(const fs::path& path);
void write_file(const fs::path& path, const std::string& content);
// Lines without their "\n" (and "\r"); a final line without newline counts.
std::vector<std::string> read_lines(const fs::path& path);
std::set<std::string> lines_starting_with(const fs::path& path, const std::string& prefix);
// The permission bits (st_mode & 07777) of a file or directory, no symlink following.
mode_t mode_of(const fs::path& path);

// A classic pcap (microseconds, Ethernet) with no packets: the smallest
// valid capture, written by hand from the pcap file format.
void write_empty_pcap(const fs::path& path);

// What tlsring-gen wrote in a directory.
struct Generated {
  fs::path dir;
  fs::path capture;  // dir/capture.pcapng (or .pcap); the first file when split
  std::vector<fs::path> captures;  // every file, in order: capture-1.pcapng ... when split
  // manifest.tsv, one map per connection, keyed by the header's column names.
  std::vector<std::map<std::string, std::string>> connections;
};

// Runs `tlsring-gen --out DIR ARGS...`; fails the test when it fails.
Generated generate(const fs::path& dir, const std::vector<std::string>& args);

// sessions.jsonl of an output directory, one parsed object per line; fails
// the test on a line that is not a JSON object.
std::vector<FlatJson> read_sessions(const fs::path& output_dir);

// The field's text, or "<missing NAME>" so that a CHECK shows what is absent.
std::string field(const FlatJson& object, const std::string& name);

}  // namespace tlsring::clitest
