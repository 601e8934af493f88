// `tlsring check`: what the capture needs from this host - the configured
// interfaces, a filter libpcap compiles (and that lets the keyed servers'
// traffic through), and the privileges to capture.
//
// The decisions are pure functions of what was found (tested with made-up
// inputs); the probes (pcap_findalldevs, pcap_compile, /proc/self/status) are
// separate and thin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/packet_decoder.h"
#include "core/result.h"
#include "daemon/cli/check_report.h"

namespace tlsring::cli {

struct InterfaceInfo {
  std::string name;
  bool up = true;
};

// The capture interfaces of this host, as pcap_findalldevs lists them.
Result<std::vector<InterfaceInfo>> list_capture_interfaces();

// One line per configured interface: "any" always exists; a name missing from
// `existing` fails, listing the ones that exist; one that is down warns.
std::vector<CheckLine> interface_lines(const std::vector<std::string>& configured,
                                       const std::vector<InterfaceInfo>& existing, const std::string& config_file);

// Compiles `filter` for Ethernet with `snaplen` (pcap_open_dead): one line,
// FAIL quoting libpcap's message. When it compiles, also whether it passes TCP
// to and from each of `servers` (the servers keys are bound to): a filter that
// drops a keyed server's port, or one of its directions, warns.
std::vector<CheckLine> filter_lines(const std::string& filter, std::uint32_t snaplen,
                                    const std::vector<net::Endpoint>& servers, const std::string& config_file);

// A warning when capture.snaplen cuts packets short (below a whole IP packet).
std::optional<CheckLine> snaplen_line(std::uint32_t snaplen, const std::string& config_file);

// The CapEff bit mask of a /proc/PID/status text; nullopt when absent.
std::optional<std::uint64_t> effective_capabilities(std::string_view proc_status);

inline constexpr int kCapNetAdmin = 12;
inline constexpr int kCapNetRaw = 13;

// ok when root or both CAP_NET_RAW and CAP_NET_ADMIN are effective; warn otherwise.
CheckLine capture_permission_line(bool root, std::optional<std::uint64_t> cap_eff);
// Where the OS has no capabilities (Windows): what capturing needs instead
// (Npcap installed; an administrator, or the service's account).
CheckLine npcap_permission_line();
// The same for this process: capture_permission_line from geteuid and
// /proc/self/status, or npcap_permission_line where there are no
// capabilities (platform::capability_status_text).
CheckLine check_capture_permission();

}  // namespace tlsring::cli
