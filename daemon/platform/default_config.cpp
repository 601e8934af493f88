#include "daemon/platform/default_config.h"

#include "config/config_loader.h"
#include "daemon/platform/platform.h"

namespace tlsring::platform {

Result<std::filesystem::path> default_config_file() {
  auto paths = default_paths();
  if (!paths.ok()) return paths.error();
  return paths->config_file;
}

config::DefaultLocations default_locations() {
  auto paths = default_paths();
  if (!paths.ok()) return {};
  return config::DefaultLocations{paths->output_directory, paths->log_directory / "tlsring.log"};
}

Result<config::ServiceConfig> load_service_config(const std::filesystem::path& file) {
  return config::load_config(file, default_locations());
}

}  // namespace tlsring::platform
