#include "daemon/platform/user_setting.h"

#include "daemon/platform/service_command.h"

namespace tlsring::platform {

std::optional<std::string> unused_user_warning(const std::optional<std::string>& user, OperatingSystem os) {
  if (!user || os != OperatingSystem::windows) return std::nullopt;
  const std::string service = kDefaultServiceName;
  return "user: " + *user + " is not used on Windows: the service runs as the account the SCM gives it "
         "(LocalSystem unless changed); set it with `sc.exe config " + service +
         " obj= ACCOUNT password= PASSWORD` (the service's --name if installed with one) and remove user: "
         "from the config";
}

}  // namespace tlsring::platform
