// Windows command lines, built as the Microsoft C runtime and
// CommandLineToArgvW take them apart again. Pure and portable (tested on
// Linux); strings are UTF-8.
//
// The rules being inverted (Microsoft, "Parsing C++ command-line arguments"):
// arguments are separated by spaces or tabs; a '"' starts or ends a quoted
// part, where spaces are kept; 2n backslashes before a '"' are n backslashes
// and the '"' is a quote mark; 2n+1 backslashes before a '"' are n backslashes
// and a literal '"'; backslashes anywhere else are literal.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tlsring::platform {

// `argument` written so that the C runtime reads it back unchanged: as it is
// when it has no space, tab, newline, vertical tab or '"' and is not empty,
// otherwise in quotes with backslashes doubled where the rules need it.
std::string quote_windows_argument(std::string_view argument);

// The service's command line for CreateService: "<executable>" run -c <config>.
// The executable is always quoted (the program name is read up to the closing
// quote, without backslash rules, and an unquoted path with spaces is the
// classic "unquoted service path" hole). Error when either path is empty or
// holds a '"' or a control character, which no Windows path can.
Result<std::string> service_command_line(std::string_view executable, std::string_view config_file);

}  // namespace tlsring::platform
