#include "daemon/platform/windows_command_line.h"

namespace tlsring::platform {
namespace {

Status check_path(std::string_view what, std::string_view path) {
  if (path.empty()) return make_error(std::string(what) + " is empty");
  for (char c : path) {
    if (c == '"') return make_error(std::string(what) + " '" + std::string(path) + "' contains '\"', which no Windows path can");
    if (static_cast<unsigned char>(c) < 0x20) {
      return make_error(std::string(what) + " '" + std::string(path) +
                        "' contains a control character, which no Windows path can");
    }
  }
  return {};
}

}  // namespace

std::string quote_windows_argument(std::string_view argument) {
  if (!argument.empty() && argument.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(argument);
  }
  std::string quoted = "\"";
  std::size_t backslashes = 0;
  for (char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      // The pending backslashes and this quote's own escape: 2n+1, then '"'.
      quoted.append(2 * backslashes + 1, '\\');
    } else {
      quoted.append(backslashes, '\\');
    }
    backslashes = 0;
    quoted.push_back(c);
  }
  // Before the closing quote every backslash must be doubled, or the last one
  // would escape it.
  quoted.append(2 * backslashes, '\\');
  quoted.push_back('"');
  return quoted;
}

Result<std::string> service_command_line(std::string_view executable, std::string_view config_file) {
  if (Status status = check_path("the executable's path", executable); !status.ok()) return status.error();
  if (Status status = check_path("the configuration file's path", config_file); !status.ok()) return status.error();
  return "\"" + std::string(executable) + "\" run -c " + quote_windows_argument(config_file);
}

}  // namespace tlsring::platform
