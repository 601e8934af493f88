// command_line_arguments on Windows: the UTF-16 command line, split as the C
// runtime splits it (CommandLineToArgvW), converted to UTF-8.
#include "daemon/platform/platform_windows_text.h"

#include <shellapi.h>

#include <memory>

#include "daemon/platform/platform.h"

namespace tlsring::platform {

std::vector<std::string> command_line_arguments(int argc, char** argv) {
  int count = 0;
  const std::unique_ptr<LPWSTR, decltype(&LocalFree)> arguments(CommandLineToArgvW(GetCommandLineW(), &count),
                                                                 &LocalFree);
  std::vector<std::string> result;
  if (!arguments) {
    // Out of memory, in effect: the ANSI arguments are all there is.
    for (int i = 1; i < argc; ++i) result.emplace_back(argv[i]);
    return result;
  }
  for (int i = 1; i < count; ++i) result.push_back(narrow(arguments.get()[i]));
  return result;
}

}  // namespace tlsring::platform
