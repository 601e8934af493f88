// `tlsring service install|uninstall|start|stop`: parses the arguments
// (service_command.h) and carries them out through platform.h. On Linux every
// action ends in platform.h's error pointing at systemctl.
// Exit status: 0 done, 1 the action failed, 2 bad arguments or configuration.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tlsring::platform {

int run_service_verb(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tlsring::platform
