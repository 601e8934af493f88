#include "config/section_readers.h"

namespace tlsring::config::detail {

void read_output(const Reader& reader, const Field& section, OutputConfig& out) {
  for (const Field& field : read_mapping(reader, section, {"directory", "format"})) {
    if (field.name == "directory") {
      if (auto v = read_path(reader, field)) out.directory = *v;
    } else if (field.name == "format") {
      constexpr std::string_view kAllowed = "pcapng, pcap, pcap-nano";
      const auto text = read_scalar(reader, field, "a capture format", kAllowed);
      if (!text) continue;
      if (auto format = capture::parse_format(*text)) {
        out.format = *format;
      } else {
        reader.report(field, "unknown format '" + *text + "'; allowed: " + std::string(kAllowed));
      }
    }
  }
}

}  // namespace tlsring::config::detail
