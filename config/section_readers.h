// Internal to config/: one reader per top-level section of the config file.
// Each starts from the defaults already in `out`, overwrites what the file
// gives, and reports every problem to reader.diagnostics (leaving that value
// at its default).
#pragma once

#include "config/service_config.h"
#include "config/yaml_fields.h"

namespace tlsring::config::detail {

void read_capture(const Reader& reader, const Field& section, CaptureConfig& out);
void read_rotation(const Reader& reader, const Field& section, RotationConfig& out);
void read_output(const Reader& reader, const Field& section, OutputConfig& out);
void read_decrypt(const Reader& reader, const Field& section, DecryptConfig& out);
void read_logging(const Reader& reader, const Field& section, LoggingConfig& out);

}  // namespace tlsring::config::detail
