// The configuration a verb loads when given no -c, and the paths a
// configuration takes when its file names none, on this operating system
// (platform.h's default_paths): /etc/tlsring/tlsring.yaml, /var/lib/tlsring,
// /var/log/tlsring/tlsring.log on Linux; %ProgramData%\tlsring\tlsring.yaml,
// ...\data, ...\logs\tlsring.log on Windows. Portable.
#pragma once

#include <filesystem>

#include "config/service_config.h"
#include "core/result.h"

namespace tlsring::platform {

// The config file when none is given; an error when the OS cannot say
// (Windows: no ProgramData folder).
Result<std::filesystem::path> default_config_file();

// output.directory and logging.file when the file does not give them.
// Linux's when the OS cannot say.
config::DefaultLocations default_locations();

// config::load_config with default_locations().
Result<config::ServiceConfig> load_service_config(const std::filesystem::path& file);

}  // namespace tlsring::platform
