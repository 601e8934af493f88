#include "daemon/cli/check_network.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <memory>

#include "daemon/capture/pcap_handle.h"
#include "daemon/platform/process.h"

namespace tlsring::cli {
namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

struct AllDevsFree {
  void operator()(pcap_if_t* devs) const { pcap_freealldevs(devs); }
};

// A minimal Ethernet + IP + TCP SYN from a client to `server`: enough for a
// BPF program to decide on (addresses, ports, protocol); checksums do not matter.
std::vector<std::uint8_t> syn_frame(const net::Endpoint& server) {
  std::vector<std::uint8_t> frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};  // dst, src MAC
  const bool v6 = server.ip.version == 6;
  frame.push_back(v6 ? 0x86 : 0x08);
  frame.push_back(v6 ? 0xdd : 0x00);
  if (v6) {
    const std::array<std::uint8_t, 8> header = {0x60, 0, 0, 0, 0, 20, 6, 64};  // payload 20, next TCP
    frame.insert(frame.end(), header.begin(), header.end());
    const std::array<std::uint8_t, 16> client = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    frame.insert(frame.end(), client.begin(), client.end());
    frame.insert(frame.end(), server.ip.bytes.begin(), server.ip.bytes.end());
  } else {
    const std::array<std::uint8_t, 12> header = {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0};  // DF, TTL, TCP
    frame.insert(frame.end(), header.begin(), header.end());
    const std::array<std::uint8_t, 4> client = {192, 0, 2, 10};
    frame.insert(frame.end(), client.begin(), client.end());
    frame.insert(frame.end(), server.ip.bytes.begin(), server.ip.bytes.begin() + 4);
  }
  const std::array<std::uint8_t, 20> tcp = {0xc0, 0x00,  // client port 49152
                                            static_cast<std::uint8_t>(server.port >> 8),
                                            static_cast<std::uint8_t>(server.port & 0xff),
                                            0, 0, 0, 1, 0, 0, 0, 0,  // seq, ack
                                            0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};  // offset 5, SYN
  frame.insert(frame.end(), tcp.begin(), tcp.end());
  return frame;
}

}  // namespace

Result<std::vector<InterfaceInfo>> list_capture_interfaces() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* raw = nullptr;
  if (pcap_findalldevs(&raw, errbuf) != 0) {
    return make_error(std::string("cannot list the capture interfaces: ") + errbuf);
  }
  std::unique_ptr<pcap_if_t, AllDevsFree> devs(raw);
  std::vector<InterfaceInfo> found;
  for (const pcap_if_t* dev = devs.get(); dev != nullptr; dev = dev->next) {
    found.push_back(InterfaceInfo{dev->name, (dev->flags & PCAP_IF_UP) != 0});
  }
  return found;
}

std::vector<CheckLine> interface_lines(const std::vector<std::string>& configured,
                                       const std::vector<InterfaceInfo>& existing, const std::string& config_file) {
  std::vector<CheckLine> lines;
  for (const std::string& name : configured) {
    if (name == "any") {
      lines.push_back(ok_line("interface any: exists (every interface)"));
      continue;
    }
    const auto it = std::find_if(existing.begin(), existing.end(),
                                 [&](const InterfaceInfo& info) { return info.name == name; });
    if (it == existing.end()) {
      std::string names;
      for (const InterfaceInfo& info : existing) names += (names.empty() ? "" : ", ") + info.name;
      if (std::none_of(existing.begin(), existing.end(), [](const InterfaceInfo& i) { return i.name == "any"; })) {
        names += (names.empty() ? "" : ", ") + std::string("any");
      }
      lines.push_back(fail_line("interface " + name + ": no such capture interface on this host",
                                {"interfaces that exist: " + names,
                                 "fix: correct capture.interfaces in " + config_file}));
    } else if (!it->up) {
      lines.push_back(warn_line("interface " + name + ": exists but is down",
                                {"nothing is captured on it until it is up (ip link set " + name + " up)"}));
    } else {
      lines.push_back(ok_line("interface " + name + ": exists, up"));
    }
  }
  return lines;
}

std::vector<CheckLine> filter_lines(const std::string& filter, std::uint32_t snaplen,
                                    const std::vector<net::Endpoint>& servers, const std::string& config_file) {
  daemon::PcapHandle dead(pcap_open_dead(DLT_EN10MB, static_cast<int>(snaplen)));
  if (!dead) return {fail_line("filter " + quoted(filter) + ": libpcap could not be set up to compile it")};
  daemon::BpfProgram program;
  // PCAP_NETMASK_UNKNOWN: "ip broadcast" is the only thing that needs the
  // netmask, and the live capture compiles without one too.
  if (pcap_compile(dead.get(), program.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return {fail_line("filter " + quoted(filter) + ": does not compile: " + pcap_geterr(dead.get()),
                      {"fix: correct capture.filter in " + config_file +
                       " (tcpdump syntax, e.g. \"tcp port 3000 or tcp port 3020\")"})};
  }
  std::vector<CheckLine> lines;
  lines.push_back(ok_line(filter.empty() ? std::string("filter: none (every packet is recorded)")
                                         : "filter " + quoted(filter) + ": compiles"));
  for (const net::Endpoint& server : servers) {
    const std::vector<std::uint8_t> frame = syn_frame(server);
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    if (pcap_offline_filter(program.get(), &header, frame.data()) == 0) {
      lines.push_back(warn_line("filter " + quoted(filter) + ": drops the TCP traffic of " + server.to_string() +
                                    ", a server decrypt.keys names",
                                {"fix: extend capture.filter in " + config_file + ", e.g. \"" + filter +
                                 " or tcp port " + std::to_string(server.port) + "\""}));
    }
  }
  return lines;
}

std::optional<std::uint64_t> effective_capabilities(std::string_view proc_status) {
  constexpr std::string_view kKey = "CapEff:";
  std::size_t at = 0;
  while (at < proc_status.size()) {
    const std::size_t end = std::min(proc_status.find('\n', at), proc_status.size());
    const std::string_view line = proc_status.substr(at, end - at);
    if (line.substr(0, kKey.size()) == kKey) {
      std::string_view hex = line.substr(kKey.size());
      while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
      if (hex.empty() || hex.size() > 16) return std::nullopt;
      std::uint64_t mask = 0;
      for (char c : hex) {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) return std::nullopt;
        mask = mask << 4 | static_cast<std::uint64_t>(digit);
      }
      return mask;
    }
    at = end + 1;
  }
  return std::nullopt;
}

CheckLine capture_permission_line(bool root, std::optional<std::uint64_t> cap_eff) {
  const std::uint64_t needed = (std::uint64_t{1} << kCapNetAdmin) | (std::uint64_t{1} << kCapNetRaw);
  if (root) return ok_line("capture permission: running as root");
  if (cap_eff && (*cap_eff & needed) == needed) {
    return ok_line("capture permission: CAP_NET_RAW and CAP_NET_ADMIN are effective");
  }
  std::string missing;
  if (!cap_eff || (*cap_eff & (std::uint64_t{1} << kCapNetRaw)) == 0) missing = "CAP_NET_RAW";
  if (!cap_eff || (*cap_eff & (std::uint64_t{1} << kCapNetAdmin)) == 0) {
    missing += (missing.empty() ? "" : " and ") + std::string("CAP_NET_ADMIN");
  }
  return warn_line("capture permission: not root, and " + missing + " not effective",
                   {"`tlsring run` started from this shell could not capture; the systemd service gets the "
                    "capabilities from its unit (AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN), or run as root"});
}

CheckLine npcap_permission_line() {
  return ok_line("capture permission: given by Npcap, not by capabilities (Windows)",
                 {"the service captures as its account (LocalSystem unless changed with sc.exe config); "
                  "`tlsring run` from a shell needs an administrator prompt when Npcap restricts its driver to "
                  "Administrators",
                  "Npcap must be installed: without it the interface check above fails"});
}

CheckLine check_capture_permission() {
  const std::optional<std::string> status = platform::capability_status_text();
  if (!status) return npcap_permission_line();
  return capture_permission_line(platform::running_as_root(), effective_capabilities(*status));
}

}  // namespace tlsring::cli
