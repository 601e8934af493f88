// tlsring-gen, the command-line front end, run as a user would run it.
#include <pcap/pcap.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/gen/capture_check.h"

namespace fs = std::filesystem;
namespace check = tlsring::testgen::check;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tlsring-cli-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Runs the generator; returns its stdout and exit status.
std::pair<std::string, int> gen(const std::string& args) {
  const std::string command = std::string(TLSRING_GEN_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

TEST_CASE("tlsring-gen writes what it prints") {
  TempDir dir;
  const auto [out, status] =
      gen("--out " + dir.path.string() +
          " --sessions 20 --version 1.2 --ciphers AES128-GCM-SHA256:AES256-SHA --rotate-ciphers"
          " --messages 4 --min-size 100 --max-size 600 --resume ticket --port 3000 --format pcapng"
          " --split-at 300 --reorder 0.01 --drop 0.001 --seed 1");
  INFO(out);
  REQUIRE(status == 0);
  CHECK_THAT(out, Catch::Contains("connections 40 (20 resumed)"));
  CHECK_THAT(out, Catch::Contains("TLS_RSA_WITH_AES_128_GCM_SHA256"));
  CHECK_THAT(out, Catch::Contains("TLS_RSA_WITH_AES_256_CBC_SHA"));
  const auto first = check::read_capture(dir.path / "capture-1.pcapng");
  const auto second = check::read_capture(dir.path / "capture-2.pcapng");
  CHECK(first.packets.size() == 300);
  CHECK(first.datalink == DLT_EN10MB);
  CHECK_THAT(out, Catch::Contains("capture-1.pcapng: 300 packets"));
  CHECK_THAT(out, Catch::Contains("capture-2.pcapng: " + std::to_string(second.packets.size()) + " packets"));
  for (const char* name : {"keys.log", "server.key.pem", "server.cert.pem", "manifest.json",
                           "manifest.tsv", "conn-0.c2s.bin", "conn-39.s2c.bin"}) {
    CHECK(fs::exists(dir.path / name));
  }
  const std::string manifest = check::read_text(dir.path / "manifest.json");
  CHECK(std::count(manifest.begin(), manifest.end(), '\n') > 40);
  CHECK_THAT(manifest, Catch::Contains("\"resumed\": true"));
}

TEST_CASE("tlsring-gen: other formats, links and addresses") {
  TempDir dir;
  const auto [out, status] = gen("--out " + dir.path.string() +
                                 " --sessions 2 --version 1.3 --ipv6 --link sll --format pcap-nano"
                                 " --name cti --port 4000 --no-plaintext -q");
  INFO(out);
  REQUIRE(status == 0);
  CHECK(out.empty());  // --quiet
  const auto capture = check::read_capture(dir.path / "cti.pcap");
  CHECK(capture.datalink == DLT_LINUX_SLL);
  REQUIRE_FALSE(capture.packets.empty());
  CHECK(capture.packets[0].v6);
  CHECK(capture.packets[0].dst_port == 4000);
  CHECK_FALSE(fs::exists(dir.path / "conn-0.c2s.bin"));
}

TEST_CASE("tlsring-gen refuses bad flags") {
  CHECK(gen("--sessions 1").second == 2);  // no --out
  CHECK(gen("--out /tmp/x --version 2.0").second == 2);
  CHECK(gen("--out /tmp/x --frobnicate").second == 2);
  const auto [out, status] = gen("--help");
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("--split-at"));
}
