// The service's verbs: `tlsring run -c FILE` and `tlsring status -c FILE`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tlsring::cli {

int run_run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int run_status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tlsring::cli
