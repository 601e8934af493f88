// privileges.h on Windows: not applicable. The service runs as the account
// the Service Control Manager starts it as (LocalSystem, or the one given to
// `sc.exe config tlsring obj= ...`); `user:` in the config has no meaning.
#include "daemon/platform/privileges.h"

namespace tlsring::platform {
namespace {

Error not_applicable(const std::string& user) {
  return make_error("user: '" + user + "': on Windows the service runs as the account configured in the Service "
                    "Control Manager (services.msc > tlsring > Log On); remove `user:` from the config");
}

}  // namespace

Status hand_directory_to(const std::filesystem::path&, const std::string& user) { return not_applicable(user); }

Status drop_privileges_to(const std::string& user) { return not_applicable(user); }

}  // namespace tlsring::platform
