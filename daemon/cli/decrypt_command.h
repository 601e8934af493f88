// `tlsring decrypt CAPTURE... [--key [IP:PORT=]FILE[,password-file=F|,password-env=VAR]]...
//                  [--keylog FILE]... -o DIR`
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tlsring::cli {

// Exit status: 0 when the run completed (whatever the verdicts), 2 on bad
// input (nothing is written then), 1 when writing the output failed.
int run_decrypt_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tlsring::cli
