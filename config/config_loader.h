// Loading the service's YAML config file into a ServiceConfig.
//
// Contract:
//  - Every key is checked: unknown keys (at every level), keys given twice,
//    wrong types (a list where one value belongs, or the reverse), values out of
//    range and inconsistent combinations are errors. Absent keys take the
//    defaults of service_config.h, the paths those of `defaults`; an empty
//    file gives all defaults.
//  - On failure the Error holds EVERY problem found, one per line, in file
//    order (at most 20, then a count), each as
//      FILE:LINE:COL: KEY.PATH: what is wrong; allowed: ...
//    e.g. "tlsring.yaml:7:3: rotation.evrey: unknown key; allowed: every, ...".
//    FILE is the path as the caller gave it; lines and columns count from 1.
//    A YAML syntax error is reported alone, at its position. A file that cannot
//    be read is reported with its path and the reason.
//  - Relative paths in the file are resolved against the config file's directory.
//  - Nothing is checked against the system (interfaces, filter syntax, key files,
//    their permissions): that is `tlsring check`.
//  - Never throws, never logs.
#pragma once

#include <filesystem>
#include <string_view>

#include "config/service_config.h"
#include "core/result.h"

namespace tlsring::config {

// Reads `file` (at most 1MiB). ServiceConfig::source is `file` made absolute,
// and relative paths in it resolve against that file's directory.
Result<ServiceConfig> load_config(const std::filesystem::path& file, const DefaultLocations& defaults = {});

// Parses `yaml_text` as if read from `source_name` (used in messages and as
// ServiceConfig::source). Relative paths resolve against source_name's parent
// directory; when it has none they stay relative. Pure: no file system access.
Result<ServiceConfig> parse_config(std::string_view yaml_text, const std::filesystem::path& source_name,
                                   const DefaultLocations& defaults = {});

}  // namespace tlsring::config
