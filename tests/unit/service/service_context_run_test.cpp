// run_service driven through platform::ServiceContext, as the Windows
// service manager drives it: ready is reported once capture runs, a stop
// request ends the service with exit 0 exactly as SIGTERM does, a reload
// request reloads as SIGHUP does, a stop asked while starting is kept, and
// the handlers are gone when run_service returns.
//
// The service captures on lo with a filter for the discard port (tcp port 9),
// which no test here sends to: never port 3000, where the live service tests
// run. Needs root (capture); skipped (exit 4) without it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include "config/config_loader.h"
#include "daemon/platform/service_context.h"
#include "daemon/service/capture_service.h"
#include "daemon/service/service_status.h"
#include "tests/support/skip.h"
#include "tests/support/temp_dir.h"

using namespace tlsring;
using namespace std::chrono_literals;

namespace {

void require_root() {
  if (::geteuid() != 0) {
    testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                       "capture on lo needs root (CAP_NET_RAW, CAP_NET_ADMIN): this test was NOT run");
  }
}

config::ServiceConfig service_config(const testing::TempDir& dir) {
  const std::string yaml = "capture:\n"
                           "  interfaces: [lo]\n"
                           "  filter: \"tcp port 9\"\n"
                           "  buffer_size: 4MiB\n"
                           "output:\n"
                           "  directory: out\n"
                           "logging:\n"
                           "  level: debug\n"
                           "  target: file\n"
                           "  file: log/tlsring.log\n";
  auto config = config::load_config(dir.write("tlsring.yaml", yaml));
  REQUIRE(config.ok());
  return std::move(config.value());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A service capturing on lo, in a directory of its own, run_service on its
// own thread with a context whose ready hook is seen here.
class ServiceOnLo {
 public:
  ServiceOnLo()
      : config_(service_config(dir_)), context_("", platform::ServiceContext::Hooks{[this] { ready_ = true; }}) {}

  ServiceOnLo(const ServiceOnLo&) = delete;
  ServiceOnLo& operator=(const ServiceOnLo&) = delete;

  // Still running (a test failed half way): stopped through the context, and
  // if that goes unheard (the wiring under test is broken) with SIGTERM, as
  // systemd would, so that the failure shows instead of a hang.
  ~ServiceOnLo() {
    if (!exit_.valid()) return;
    context_.request_stop();
    if (exit_.wait_for(30s) != std::future_status::ready) std::raise(SIGTERM);
  }

  void start() {
    exit_ = std::async(std::launch::async, [this] { return daemon::run_service(config_, context_); });
  }

  // start(), then wait until report_ready() ran (a failed test when
  // run_service returned first or did not get there in 30 s).
  void start_capturing() {
    start();
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!ready_ && std::chrono::steady_clock::now() < deadline) {
      if (exit_.wait_for(20ms) == std::future_status::ready) break;
    }
    REQUIRE(ready_);
  }

  // The exit status, or -1 when run_service did not return in time.
  int wait_exit(std::chrono::seconds limit) {
    if (exit_.wait_for(limit) != std::future_status::ready) return -1;
    return exit_.get();
  }

  platform::ServiceContext& context() { return context_; }
  const config::ServiceConfig& config() const { return config_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string log() const { return read_file(dir_.path() / "log" / "tlsring.log"); }

 private:
  testing::TempDir dir_;
  const config::ServiceConfig config_;
  std::atomic<bool> ready_{false};
  platform::ServiceContext context_;
  std::future<int> exit_;
};

}  // namespace

TEST_CASE("service context: a stop request ends run_service with exit 0, as SIGTERM does") {
  require_root();
  ServiceOnLo service;
  service.start_capturing();
  auto capturing = daemon::read_status_file(daemon::status_file_path(service.config()));
  REQUIRE(capturing.ok());
  CHECK(capturing->state == "capturing");

  service.context().request_stop();
  REQUIRE(service.wait_exit(60s) == daemon::kServiceExitOk);

  auto status = daemon::read_status_file(daemon::status_file_path(service.config()));
  REQUIRE(status.ok());
  CHECK(status->state == "stopped");
  const std::string log = service.log();
  CHECK_THAT(log, Catch::Contains("the service manager asked to stop: stopping"));
  CHECK_THAT(log, Catch::Contains("stopped; report in"));
  // The run's report exists, as after SIGTERM.
  bool summary = false;
  for (const auto& run : std::filesystem::directory_iterator(service.dir() / "out" / "runs")) {
    summary = summary || std::filesystem::exists(run.path() / "summary.txt");
  }
  CHECK(summary);

  // The handlers went with the loop: further requests reach nothing.
  service.context().request_reload();
  service.context().request_stop();
}

TEST_CASE("service context: a reload request reloads the keys and reopens the log, as SIGHUP does") {
  require_root();
  ServiceOnLo service;
  service.start_capturing();

  service.context().request_reload();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (service.log().find("keys reloaded") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const std::string log = service.log();
  CHECK_THAT(log, Catch::Contains("the service manager asked to reload: reloading keys and reopening the log"));
  CHECK_THAT(log, Catch::Contains("keys reloaded: 0 key(s); 0 key log(s) checked before the next file"));

  service.context().request_stop();
  CHECK(service.wait_exit(60s) == daemon::kServiceExitOk);
}

TEST_CASE("service context: a stop asked before the service runs ends it at once, with exit 0") {
  require_root();
  ServiceOnLo service;
  service.context().request_stop();
  service.start();
  CHECK(service.wait_exit(60s) == daemon::kServiceExitOk);
  CHECK_THAT(service.log(), Catch::Contains("asked to stop while starting: stopped before capturing"));
}
