#include "tests/cli/cli_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/skip.h"

namespace tlsring::clitest {

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "tlsring-test-cli-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  // A test may leave a mode 000 file or directory behind; make it removable.
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    ::chmod(it->path().c_str(), it->is_directory() ? 0700 : 0600);
  }
  fs::remove_all(path_, ec);
}

fs::path require_wireshark_fixtures(const std::string& test_name) {
  const fs::path dir = fs::path(TLSRING_FIXTURES_DIR) / "wireshark";
  if (!fs::exists(dir / "cases.json")) {
    tlsring::testing::skip_test(test_name, "the Wireshark fixtures are missing: " + dir.string() +
                                               " (set the CMake cache variable TLSRING_FIXTURES_DIR)");
  }
  return dir;
}

ChildResult run_tlsring(const std::vector<std::string>& args, const ChildOptions& options) {
  std::vector<std::string> argv{TLSRING_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_child(argv, options);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  INFO("writing " << path);
  REQUIRE(out.good());
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::set<std::string> lines_starting_with(const fs::path& path, const std::string& prefix) {
  std::set<std::string> out;
  for (const auto& line : read_lines(path)) {
    if (line.rfind(prefix, 0) == 0) out.insert(line);
  }
  return out;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  INFO("lstat " << path);
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

void write_empty_pcap(const fs::path& path) {
  // Global header, little-endian: magic a1b2c3d4, version 2.4, thiszone 0,
  // sigfigs 0, snaplen 65535, network 1 (Ethernet).
  const unsigned char header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0xff, 0xff, 0x00, 0x00, 1, 0, 0, 0};
  write_file(path, std::string(reinterpret_cast<const char*>(header), sizeof header));
}

Generated generate(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{TLSRING_GEN_BINARY, "--out", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildResult gen = run_child(argv);
  INFO(describe(argv) << "\n" << gen.out << gen.err);
  REQUIRE(gen.exit_status == 0);
  Generated g;
  g.dir = dir;
  for (const char* extension : {".pcapng", ".pcap"}) {
    if (fs::exists(dir / ("capture" + std::string(extension)))) g.captures = {dir / ("capture" + std::string(extension))};
    for (int n = 1; fs::exists(dir / ("capture-" + std::to_string(n) + extension)); ++n) {
      g.captures.push_back(dir / ("capture-" + std::to_string(n) + extension));
    }
  }
  REQUIRE_FALSE(g.captures.empty());
  g.capture = g.captures.front();
  const auto lines = read_lines(dir / "manifest.tsv");
  REQUIRE(lines.size() >= 2);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, '\t')) cells.push_back(cell);
    return cells;
  };
  const auto columns = split(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const auto cells = split(lines[i]);
    REQUIRE(cells.size() == columns.size());
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < columns.size(); ++c) row[columns[c]] = cells[c];
    g.connections.push_back(std::move(row));
  }
  return g;
}

std::vector<FlatJson> read_sessions(const fs::path& output_dir) {
  std::vector<FlatJson> sessions;
  for (const auto& line : read_lines(output_dir / "sessions.jsonl")) {
    INFO("sessions.jsonl line: " << line);
    auto object = parse_flat_json_object(line);
    REQUIRE(object.has_value());
    sessions.push_back(std::move(*object));
  }
  return sessions;
}

std::string field(const FlatJson& object, const std::string& name) {
  const auto it = object.find(name);
  return it == object.end() ? "<missing " + name + ">" : it->second.text;
}

}  // namespace tlsring::clitest
