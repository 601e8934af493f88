#include <algorithm>

#include "config/section_readers.h"

namespace tlsring::config::detail {
namespace {

constexpr std::string_view kInterfacesAllowed =
    "a list of one or more interface names, e.g. [eth0], [eth0, eth1], or [any] for all";

void read_interfaces(const Reader& reader, const Field& field, CaptureConfig& out) {
  const auto items = read_list(reader, field, kInterfacesAllowed, false);
  if (!items) return;
  if (items->empty()) {
    reader.report(field, "the list is empty; allowed: " + std::string(kInterfacesAllowed));
    return;
  }
  std::vector<std::string> names;
  bool ok = true;
  for (const Field& item : *items) {
    auto name = read_text(reader, item, kInterfacesAllowed, false);
    if (!name) {
      ok = false;
      continue;
    }
    if (std::find(names.begin(), names.end(), *name) != names.end()) {
      reader.report(item, "'" + *name + "' is listed twice; allowed: each interface once");
      ok = false;
      continue;
    }
    names.push_back(std::move(*name));
  }
  // "any" already captures every interface: with others, packets would be
  // captured twice.
  if (ok && names.size() > 1 && std::find(names.begin(), names.end(), "any") != names.end()) {
    reader.report(field, "'any' captures every interface and must be listed alone; allowed: " +
                             std::string(kInterfacesAllowed));
    ok = false;
  }
  if (ok) out.interfaces = std::move(names);
}

}  // namespace

void read_capture(const Reader& reader, const Field& section, CaptureConfig& out) {
  for (const Field& field :
       read_mapping(reader, section, {"interfaces", "filter", "snaplen", "buffer_size", "promiscuous"})) {
    const std::string& name = field.name;
    if (name == "interfaces") {
      read_interfaces(reader, field, out);
    } else if (name == "filter") {
      if (auto v = read_text(reader, field, "a BPF filter such as \"tcp port 3000\" (empty: every packet)", true)) {
        out.filter = *v;
      }
    } else if (name == "snaplen") {
      if (auto v = read_unsigned(reader, field, 1, 262144)) out.snaplen = static_cast<std::uint32_t>(*v);
    } else if (name == "buffer_size") {
      // libpcap takes the buffer size as an int.
      if (auto v = read_size(reader, field, 1 * kMiB, 2047 * kMiB)) out.buffer_size = *v;
    } else if (name == "promiscuous") {
      if (auto v = read_bool(reader, field)) out.promiscuous = *v;
    }
  }
}

}  // namespace tlsring::config::detail
