// `user:` on each OS: Linux uses it (no warning), Windows does not (a warning
// naming the key and how to set the service's account instead).
#include <catch2/catch.hpp>

#include "daemon/platform/user_setting.h"

namespace tp = tlsring::platform;

TEST_CASE("user setting: Windows warns that user: is not used, Linux does not") {
  CHECK_FALSE(tp::unused_user_warning(std::string("tlsring"), tp::OperatingSystem::posix));
  CHECK_FALSE(tp::unused_user_warning(std::nullopt, tp::OperatingSystem::windows));
  const auto warning = tp::unused_user_warning(std::string("tlsring"), tp::OperatingSystem::windows);
  REQUIRE(warning);
  CHECK(warning->starts_with("user: tlsring is not used on Windows: the service runs as the account the SCM gives it"));
  CHECK(warning->find("`sc.exe config tlsring obj= ACCOUNT password= PASSWORD`") != std::string::npos);
  CHECK(tp::kThisOperatingSystem == tp::OperatingSystem::posix);  // these tests run on Linux
}
