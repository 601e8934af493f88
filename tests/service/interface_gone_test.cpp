// `tlsring run` when its capture interface disappears (a NIC hot-unplugged, a
// team or bond rebuilt): a veth interface made for the test and deleted under
// the running service. Needs root; skipped by name otherwise, or when this
// kernel cannot make a veth pair.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "tests/service/service_harness.h"
#include "tests/support/skip.h"

using namespace tlsring::testsvc;
using namespace std::chrono_literals;

namespace {

bool run_command(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// A veth pair named NAME and NAMEp, deleted (if still there) with the object.
class VethPair {
 public:
  explicit VethPair(std::string name) : name_(std::move(name)) {
    made_ = run_command("ip link add " + name_ + " type veth peer name " + name_ + "p") &&
            run_command("ip link set " + name_ + " up");
  }
  ~VethPair() { remove(); }
  bool made() const { return made_; }
  void remove() {
    if (made_) run_command("ip link del " + name_);
    made_ = false;
  }

 private:
  std::string name_;
  bool made_ = false;
};

}  // namespace

TEST_CASE("the capture interface disappears: the service exits 1 and the summary says when and why") {
  require_root_or_skip();
  const std::string name = "tlsgone" + std::to_string(::getpid() % 100000);  // under IFNAMSIZ
  VethPair veth(name);
  if (!veth.made()) {
    tlsring::testing::skip_test(Catch::getResultCapture().getCurrentTestName(),
                                "`ip link add ... type veth` failed on this machine; not run");
  }
  ServiceConfigText text;
  text.interface = name;
  text.rotation_every = "1s";
  text.stop_after = "60s";
  const ServiceTestDir dir("gone", text);
  ServiceProcess service(dir.config(), dir.path() / "service.log");
  REQUIRE(wait_until_capturing(dir.out(), 5s));
  std::this_thread::sleep_for(1500ms);
  veth.remove();

  const auto exit_status = service.wait(15s);  // long before stop_after
  INFO(read_text(dir.path() / "service.log"));
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 1);  // a failure: systemd's Restart=on-failure starts it again

  CHECK(list_ring(dir.out()).parts.empty());
  const auto run = only_run_directory(dir.out());
  REQUIRE(!run.empty());
  const std::string summary = read_text(run / "summary.txt");
  INFO(summary);
  CHECK(summary.find("capture: ended early, at ") != std::string::npos);
  CHECK(summary.find("capture on \"" + name + "\" failed") != std::string::npos);
  CHECK(summary.find("check that the interface is there and up") != std::string::npos);
  CHECK(read_text(dir.out() / "status.json").find("\"state\": \"stopped\"") != std::string::npos);
}
