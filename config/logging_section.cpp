#include "config/section_readers.h"

namespace tlsring::config::detail {

void read_logging(const Reader& reader, const Field& section, LoggingConfig& out) {
  for (const Field& field :
       read_mapping(reader, section, {"level", "target", "file", "max_file_size", "max_files"})) {
    if (field.name == "level") {
      constexpr std::string_view kAllowed = "trace, debug, info, warn, error";
      const auto text = read_scalar(reader, field, "a log level", kAllowed);
      if (!text) continue;
      if (auto level = parse_level(*text)) out.level = *level;
      else reader.report(field, "unknown level '" + *text + "'; allowed: " + std::string(kAllowed));
    } else if (field.name == "target") {
      constexpr std::string_view kAllowed = "console, journal, file";
      const auto text = read_scalar(reader, field, "a log target", kAllowed);
      if (!text) continue;
      if (auto target = parse_target(*text)) out.target = *target;
      else reader.report(field, "unknown target '" + *text + "'; allowed: " + std::string(kAllowed));
    } else if (field.name == "file") {
      if (auto v = read_path(reader, field)) out.file = *v;
    } else if (field.name == "max_file_size") {
      if (auto v = read_size(reader, field, 64 * kKiB, 1 * kTiB)) out.max_file_size = *v;
    } else if (field.name == "max_files") {
      if (auto v = read_unsigned(reader, field, 1, 1000)) out.max_files = static_cast<unsigned>(*v);
    }
  }
}

}  // namespace tlsring::config::detail
