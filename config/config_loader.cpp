#include "config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "config/section_readers.h"
#include "config/yaml_fields.h"

namespace tlsring::config {
namespace {

constexpr std::size_t kMaxFileSize = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// fopen takes a char path; a Windows path is wide text (_wfopen), so that a
// name outside the ANSI code page opens too.
std::FILE* open_for_reading(const std::filesystem::path& file) {
#ifdef _WIN32
  return _wfopen(file.c_str(), L"rb");
#else
  return std::fopen(file.c_str(), "rb");
#endif
}

Result<std::string> read_text_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return make_error("cannot read config file " + name + ": it is a directory; give the path of the YAML file");
  }
  errno = 0;
  FilePtr handle(open_for_reading(file));
  if (!handle) {
    return make_error("cannot read config file " + name + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[16384];
  while (true) {
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, handle.get());
    text.append(buffer, n);
    if (text.size() > kMaxFileSize) {
      return make_error("cannot read config file " + name + ": it is larger than 1MiB; is it the right file?");
    }
    if (n < sizeof buffer) break;
  }
  if (std::ferror(handle.get())) {
    return make_error("cannot read config file " + name + ": " + std::strerror(errno));
  }
  return text;
}

// The parse proper, with yaml-cpp's exceptions turned into reports.
Result<ServiceConfig> parse(std::string_view yaml_text, const std::string& display_name,
                            const std::filesystem::path& base_dir, const DefaultLocations& defaults) {
  detail::Diagnostics diagnostics(display_name);
  const detail::Reader reader{diagnostics, base_dir};
  ServiceConfig config;
  config.output.directory = defaults.output_directory;
  config.logging.file = defaults.log_file;
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
    if (documents.size() > 1) {
      diagnostics.report(documents[1].Mark(), "",
                         "a second YAML document (after ---); allowed: one document holding every section");
      return diagnostics.to_error();
    }
    if (documents.empty()) return config;  // empty, or comments only: every default
    const detail::Field root{"", "", documents[0].Mark(), documents[0]};
    if (!root.value.IsNull() && !root.value.IsMap()) {
      diagnostics.report(root.mark(), "",
                         "expected the sections capture, rotation, stop_after, output, decrypt, logging, user; "
                         "allowed: a mapping of those keys");
      return diagnostics.to_error();
    }
    for (const detail::Field& section : detail::read_mapping(
             reader, root, {"capture", "rotation", "stop_after", "output", "decrypt", "logging", "user"})) {
      if (section.name == "capture") {
        detail::read_capture(reader, section, config.capture);
      } else if (section.name == "rotation") {
        detail::read_rotation(reader, section, config.rotation);
      } else if (section.name == "stop_after") {
        if (auto v = detail::read_duration(reader, section, kNsPerSecond)) config.stop_after_ns = *v;
      } else if (section.name == "output") {
        detail::read_output(reader, section, config.output);
      } else if (section.name == "decrypt") {
        detail::read_decrypt(reader, section, config.decrypt);
      } else if (section.name == "logging") {
        detail::read_logging(reader, section, config.logging);
      } else if (section.name == "user") {
        if (auto v = detail::read_text(reader, section, "a user name, e.g. tlsring", false)) config.user = *v;
      }
    }
  } catch (const YAML::Exception& e) {
    // yaml-cpp stops at the first syntax error; its position is where it noticed.
    diagnostics.report(e.mark, "",
                       "YAML syntax error: " + e.msg +
                           "; check the indentation (spaces, not tabs), quotes and brackets here or just before");
    return diagnostics.to_error();
  } catch (const std::exception& e) {
    return make_error(display_name + ": cannot parse the config file: " + e.what());
  }
  if (!diagnostics.ok()) return diagnostics.to_error();
  return config;
}

}  // namespace

Result<ServiceConfig> parse_config(std::string_view yaml_text, const std::filesystem::path& source_name,
                                   const DefaultLocations& defaults) {
  auto config = parse(yaml_text, source_name.string(), source_name.parent_path(), defaults);
  if (config.ok()) config->source = source_name;
  return config;
}

Result<ServiceConfig> load_config(const std::filesystem::path& file, const DefaultLocations& defaults) {
  auto text = read_text_file(file);
  if (!text.ok()) return text.error();
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  if (ec) absolute = file;
  absolute = absolute.lexically_normal();
  auto config = parse(text.value(), file.string(), absolute.parent_path(), defaults);
  if (config.ok()) config->source = absolute;
  return config;
}

}  // namespace tlsring::config
