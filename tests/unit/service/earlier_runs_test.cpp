// Which earlier runs' keys.log a new run loads: runs started within the
// window before now, oldest first; anything else in runs/ is ignored.
#include "daemon/service/earlier_runs.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

using namespace tlsring::daemon;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
// 2026-12-06T09:00:00Z: 20,793 days after 1970-01-01 (date -u -d @1796547600), 9 h into the day.
constexpr std::int64_t k0900 = (std::int64_t{20793} * 86400 + 9 * 3600) * kSec;

}  // namespace

TEST_CASE("earlier runs: the runs started within the window before now, oldest first") {
  const std::vector<std::string> names = {
      "20261206T085959Z",  // a second ago
      "20261205T090000Z",  // exactly 24 h ago: still in
      "20261205T085959Z",  // 24 h and a second ago: out
      "20261206T090000Z",  // now: the run starting now
      "20261206T090001Z",  // in the future (a clock set back): out
      "20261206T030000Z",
      "keys.log",
      "20261306T030000Z",  // month 13: not a run
      "20261206T0300Z",
  };
  CHECK(recent_run_names(names, k0900, 24 * 3600 * kSec) ==
        std::vector<std::string>{"20261205T090000Z", "20261206T030000Z", "20261206T085959Z"});
  CHECK(recent_run_names(names, k0900, 3600 * kSec) == std::vector<std::string>{"20261206T085959Z"});
  CHECK(recent_run_names({}, k0900, kResumableForNs).empty());
}

TEST_CASE("earlier runs: only runs that wrote a keys.log are loaded, a missing runs directory gives none") {
  tlsring::testing::TempDir dir;
  const auto runs = dir.path() / "runs";
  for (const char* run : {"20261206T010000Z", "20261206T020000Z", "20261206T030000Z"}) {
    std::filesystem::create_directories(runs / run);
  }
  dir.write("runs/20261206T010000Z/keys.log", "CLIENT_RANDOM 00 00\n");
  dir.write("runs/20261206T030000Z/keys.log", "CLIENT_RANDOM 00 00\n");
  CHECK(recent_run_files(runs, "keys.log", k0900) ==
        std::vector<std::filesystem::path>{runs / "20261206T010000Z" / "keys.log",
                                           runs / "20261206T030000Z" / "keys.log"});
  CHECK(recent_run_files(dir.path() / "none", "keys.log", k0900).empty());
}

TEST_CASE("earlier runs: the size of their results leaves out this run and counts every file below") {
  tlsring::testing::TempDir dir;
  const auto runs = dir.path() / "runs";
  std::filesystem::create_directories(runs / "20261206T010000Z" / "connections");
  std::filesystem::create_directories(runs / "20261206T020000Z");
  std::filesystem::create_directories(runs / "20261206T030000Z" / "connections");
  dir.write("runs/20261206T010000Z/report.jsonl", std::string(1000, 'r'));
  dir.write("runs/20261206T010000Z/connections/1.c2s.bin", std::string(4096, 'c'));
  dir.write("runs/20261206T020000Z/summary.txt", std::string(30, 's'));
  // This run's own results are counted as they are written, not here.
  dir.write("runs/20261206T030000Z/connections/2.c2s.bin", std::string(9999, 'x'));
  CHECK(earlier_results_size(runs, "20261206T030000Z") == 1000 + 4096 + 30);
  CHECK(earlier_results_size(runs, "20261206T010000Z") == 30 + 9999);
  CHECK(earlier_results_size(dir.path() / "none", "20261206T030000Z") == 0);
  // Asked to stop before it starts: nothing counted.
  std::stop_source stop;
  stop.request_stop();
  CHECK(earlier_results_size(runs, "20261206T030000Z", stop.get_token()) == 0);
}

TEST_CASE("earlier runs: the gauge measures again, so results moved away during the run stop counting") {
  tlsring::testing::TempDir dir;
  const auto runs = dir.path() / "runs";
  std::filesystem::create_directories(runs / "20261206T010000Z");
  std::filesystem::create_directories(runs / "20261206T030000Z");
  dir.write("runs/20261206T010000Z/report.jsonl", std::string(5000, 'r'));
  const auto wait_for = [](const std::function<bool()>& condition) {
    for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return condition();
  };
  {
    EarlierResultsGauge gauge(runs, "20261206T030000Z", std::chrono::milliseconds(20));
    REQUIRE(wait_for([&] { return gauge.walks() >= 1; }));
    CHECK(gauge.bytes() == 5000);
#ifdef __linux__
    // Its thread yields to capture: named tlsring-du, at nice 10 (field 19 of /proc/self/task/TID/stat).
    int gauges = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      if (name != "tlsring-du") continue;
      ++gauges;
      std::ifstream stat_file(task.path() / "stat");
      std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
      std::istringstream fields(stat.substr(stat.rfind(')') + 1));
      std::string field;
      for (int i = 3; i <= 19; ++i) fields >> field;
      CHECK(field == "10");
    }
    CHECK(gauges == 1);
#endif
    // The user moves the earlier run away, as the disk messages advise.
    std::filesystem::remove_all(runs / "20261206T010000Z");
    REQUIRE(wait_for([&] { return gauge.bytes() == 0; }));
  }
  // A long interval: the destructor does not wait for it.
  const auto before = std::chrono::steady_clock::now();
  {
    EarlierResultsGauge gauge(runs, "20261206T030000Z", std::chrono::hours(1));
    REQUIRE(wait_for([&] { return gauge.walks() >= 1; }));
  }
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(30));
}
