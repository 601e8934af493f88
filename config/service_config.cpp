#include "config/service_config.h"

#include <array>
#include <utility>

namespace tlsring::config {
namespace {

using Level = LoggingConfig::Level;
using Target = LoggingConfig::Target;

constexpr std::array<std::pair<Level, std::string_view>, 5> kLevels{{
    {Level::trace, "trace"},
    {Level::debug, "debug"},
    {Level::info, "info"},
    {Level::warn, "warn"},
    {Level::error, "error"},
}};

constexpr std::array<std::pair<Target, std::string_view>, 3> kTargets{{
    {Target::console, "console"},
    {Target::journal, "journal"},
    {Target::file, "file"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return "?";
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view name) {
  for (const auto& [value, candidate] : table) {
    if (candidate == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view level_name(Level level) { return name_of(kLevels, level); }
std::string_view target_name(Target target) { return name_of(kTargets, target); }
std::optional<Level> parse_level(std::string_view name) { return value_of(kLevels, name); }
std::optional<Target> parse_target(std::string_view name) { return value_of(kTargets, name); }

std::string KeyConfig::describe() const {
  if (certificate_store_key) {
    return "key " + format_thumbprint(certificate_store_key->thumbprint) + " in " +
           format_certificate_store_name(certificate_store_key->store);
  }
  return "key " + file.string();
}

}  // namespace tlsring::config
