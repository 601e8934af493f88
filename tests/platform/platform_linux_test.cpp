// platform.h on Linux: the paths of the package, and every Windows-only
// function failing with a message that names the Linux way.
#include <catch2/catch.hpp>

#include "daemon/platform/platform.h"

namespace tp = tlsring::platform;

TEST_CASE("platform (Linux): default paths are the package's") {
  auto paths = tp::default_paths();
  REQUIRE(paths.ok());
  CHECK(paths->config_file == "/etc/tlsring/tlsring.yaml");
  CHECK(paths->output_directory == "/var/lib/tlsring");
  CHECK(paths->log_directory == "/var/log/tlsring");
}

TEST_CASE("platform (Linux): service control points at systemctl") {
  tp::ServiceDefinition definition{"tlsring", "tlsring", "", "/etc/tlsring/tlsring.yaml", false};
  const tlsring::Status install = tp::install_service(definition);
  REQUIRE_FALSE(install.ok());
  CHECK_THAT(install.error().message, Catch::Contains("systemctl enable --now tlsring"));
  const tlsring::Status uninstall = tp::uninstall_service("tlsring");
  REQUIRE_FALSE(uninstall.ok());
  CHECK_THAT(uninstall.error().message, Catch::Contains("systemctl disable --now tlsring"));
  const tlsring::Status start = tp::start_service("tlsring", std::chrono::seconds(1));
  REQUIRE_FALSE(start.ok());
  CHECK_THAT(start.error().message, Catch::Contains("systemctl start tlsring"));
  const tlsring::Status stop = tp::stop_service("tlsring", std::chrono::seconds(1));
  REQUIRE_FALSE(stop.ok());
  CHECK_THAT(stop.error().message, Catch::Contains("systemctl stop tlsring"));
}

TEST_CASE("platform (Linux): run_as_service runs the body and returns its status") {
  bool ran = false;
  const int status = tp::run_as_service("tlsring", [&](tp::ServiceContext& context) {
    ran = true;
    CHECK_FALSE(context.stop_requested());
    CHECK(context.service_name().empty());  // no manager: no event log source either
    context.report_ready();
    return 7;
  });
  CHECK(ran);
  CHECK(status == 7);
}

TEST_CASE("platform (Linux): no event log, libpcap always there, no certificate store") {
  auto log = tp::open_event_log("tlsring");
  REQUIRE_FALSE(log.ok());
  CHECK_THAT(log.error().message, Catch::Contains("journal"));
  CHECK(tp::load_capture_library().ok());
  auto key = tp::export_certificate_store_key({}, tp::Thumbprint{});
  REQUIRE_FALSE(key.ok());
  CHECK_THAT(key.error().message, Catch::Contains("Windows only") && Catch::Contains(".pfx"));
}
