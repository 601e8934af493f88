// Mark: where something was written in a config file. Lines and columns count
// from 1 (yaml-cpp counts from 0; the reader converts). A default Mark (line 0)
// means "nowhere in particular", e.g. a value that came from a default.
#pragma once

#include <string>

namespace tlsring::config {

struct Mark {
  std::string file;  // the config file's name as the caller gave it
  int line = 0;
  int column = 0;

  // "FILE:LINE:COL", or just FILE when there is no line.
  std::string to_string() const {
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

}  // namespace tlsring::config
